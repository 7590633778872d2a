import BoxOfficeProto
import Foundation

// boxoffice-codegen --descriptor-set FILE --output DIR
//
// Reads a FileDescriptorSet (protoc-c --include_imports --include_source_info), decoded by
// protobuf-c, and writes one Swift file per .proto plus BoxOfficeDescriptorSet.swift into DIR,
// replacing every *.swift file there. Output depends only on the input bytes.

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("boxoffice-codegen: \(message)\n".utf8))
    exit(1)
}

var descriptorSetPath: String?
var outputPath: String?
var samplesPath: String?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--descriptor-set": descriptorSetPath = arguments.popFirst()
    case "--output": outputPath = arguments.popFirst()
    case "--samples-output": samplesPath = arguments.popFirst()
    default: break  // the .proto names, for the record; the set says what to generate
    }
}
guard let descriptorSetPath, let outputPath else {
    fail("usage: boxoffice-codegen --descriptor-set FILE --output DIR")
}
guard let data = FileManager.default.contents(atPath: descriptorSetPath) else {
    fail("cannot read \(descriptorSetPath)")
}
let bytes = [UInt8](data)
let set: FileDescriptorSet
do {
    set = try FileDescriptorSet(serializedBytes: bytes, options: ProtoDecodingOptions(maxDepth: 100, maxMessageBytes: 64 << 20))
} catch {
    fail("\(descriptorSetPath): \(error)")
}
for file in set.file {
    if file.syntax != "proto3", !file.name.hasPrefix("google/protobuf/") {
        fail("\(file.name): only proto3 files are supported (syntax is \"\(file.syntax)\")")
    }
    func check(_ message: DescriptorProto) {
        for field in message.field where field.proto3Optional {
            fail("\(file.name): \(message.name).\(field.name) uses proto3 optional, which protoc-c 1.4 rejects")
        }
        message.nestedType.forEach(check)
    }
    file.messageType.forEach(check)
}

let index = TypeIndex(files: set.file)
for name in index.entries.keys.sorted() {
    if let chain = index.recursiveChain(from: name) {
        fail("\(name) contains itself through \(chain.joined(separator: " → ")); "
             + "singular recursive message fields are not supported (use a repeated field or a oneof)")
    }
}
var outputs: [String: String] = [:]
for file in set.file {
    outputs[FileEmitter.outputName(for: file.name)] = FileEmitter(index: index).emit(file)
    if let stubs = StubSupportEmitter.stubs(for: file) {
        outputs[StubSupportEmitter.outputName(for: file.name)] = stubs
    }
}
outputs["GeneratedStubSupport.swift"] = StubSupportEmitter.support
outputs["BoxOfficeDescriptorSet.swift"] = RegistryEmitter(index: index)
    .emit(files: set.file, serializedFiles: WireScan.fileDescriptors(inSet: bytes))

/// Replaces every *.swift file in `directory` with `files`, rewriting only those that changed.
func write(_ files: [String: String], to directory: String) {
    let manager = FileManager.default
    try? manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for stale in (try? manager.contentsOfDirectory(atPath: directory)) ?? [] where stale.hasSuffix(".swift") && files[stale] == nil {
        try? manager.removeItem(atPath: directory + "/" + stale)
    }
    for (name, text) in files.sorted(by: { $0.key < $1.key }) {
        let path = directory + "/" + name
        if manager.contents(atPath: path) != Data(text.utf8) {
            guard manager.createFile(atPath: path, contents: Data(text.utf8)) else { fail("cannot write \(path)") }
        }
    }
    print("boxoffice-codegen: \(files.count) files in \(directory)")
}

write(outputs, to: outputPath)
if let samplesPath {
    write(["ProtoSamples.swift": SampleEmitter(index: index).emit(files: set.file)], to: samplesPath)
}
