import BoxOfficeAPI
import BoxOfficeProto
import BoxOfficeProtoSamples
import Foundation

// proto-crosscheck emit            one JSON line per sample of every message type:
//                                  {"type", "variant", "hex" (our bytes), "json" (our JSON)}
// proto-crosscheck verify < lines  reads lines of the same shape written by another runtime and
//                                  checks that its bytes and its JSON decode to our sample;
//                                  prints one line per mismatch, exits 1 if there was any.
//
// Used by Tests/Python/test_proto_crosscheck.py against Python protobuf (upb).

struct Vector: Codable {
    var type: String
    var variant: Int
    var hex: String
    var json: String
}

let sampleDepth = 3

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}

func unhex(_ text: String) -> [UInt8]? {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        guard let next = text.index(index, offsetBy: 2, limitedBy: text.endIndex),
              let byte = UInt8(text[index..<next], radix: 16) else { return nil }
        bytes.append(byte)
        index = next
    }
    return bytes
}

func emit<Message: ProtoSampled>(_ type: Message.Type, into lines: inout [String]) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    for variant in 0..<Message.protoSampleCount {
        let sample = Message.protoSample(variant, depth: sampleDepth)
        let json = String(decoding: try encoder.encode(sample), as: UTF8.self)
        let line = Vector(type: Message.protoFullName, variant: variant, hex: hex(sample.serializedBytes()), json: json)
        lines.append(String(decoding: try encoder.encode(line), as: UTF8.self))
    }
}

func verify<Message: ProtoSampled>(_ type: Message.Type, _ vector: Vector) -> [String] {
    let expected = Message.protoSample(vector.variant, depth: sampleDepth)
    var problems: [String] = []
    let label = "\(vector.type) #\(vector.variant)"
    do {
        guard let bytes = unhex(vector.hex) else { return ["\(label): bad hex"] }
        let decoded = try Message(serializedBytes: bytes)
        if decoded != expected { problems.append("\(label): their bytes decode to \(decoded), expected \(expected)") }
    } catch {
        problems.append("\(label): their bytes do not decode: \(error)")
    }
    do {
        let decoded = try JSONDecoder().decode(Message.self, from: Data(vector.json.utf8))
        if decoded != expected { problems.append("\(label): their JSON decodes to \(decoded), expected \(expected)") }
    } catch {
        problems.append("\(label): their JSON does not decode: \(error)")
    }
    return problems
}

let typesByName = Dictionary(uniqueKeysWithValues: ProtoSamples.types.map { ($0.protoFullName, $0) })

switch CommandLine.arguments.dropFirst().first {
case "emit":
    var lines: [String] = []
    for type in ProtoSamples.types { try emit(type, into: &lines) }
    print(lines.joined(separator: "\n"))
case "verify":
    var problems: [String] = []
    var checked = 0
    while let line = readLine() {
        guard !line.isEmpty else { continue }
        let vector = try JSONDecoder().decode(Vector.self, from: Data(line.utf8))
        guard let type = typesByName[vector.type] else {
            problems.append("\(vector.type): unknown type")
            continue
        }
        problems += verify(type, vector)
        checked += 1
    }
    problems.forEach { print($0) }
    print("proto-crosscheck: \(checked) vectors, \(problems.count) problems")
    exit(problems.isEmpty ? 0 : 1)
default:
    FileHandle.standardError.write(Data("usage: proto-crosscheck emit | verify < vectors\n".utf8))
    exit(2)
}
