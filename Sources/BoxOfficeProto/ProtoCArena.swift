internal import CProtobufC
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Memory for the C structs of one encode or decode: bump-allocated from malloc'd chunks, all
/// freed together when the arena is released.
///
/// Owned by one `serializedBytes()` or `init(serializedBytes:)` call for its duration (the
/// writer tree, or protobuf-c's unpack through ``withAllocator(_:)``); never shared between
/// threads, never outlives the call.
final class ProtoCArena {
    private var chunks: [UnsafeMutableRawPointer] = []
    private var cursor: UnsafeMutableRawPointer?
    private var remaining = 0
    private static let chunkSize = 4096

    init() {}

    deinit {
        for chunk in chunks { free(chunk) }
    }

    /// `size` zeroed bytes aligned to 16, valid until the arena is released.
    func allocate(_ size: Int) -> UnsafeMutableRawPointer {
        let block = allocateUninitialized(size)
        memset(block, 0, size)
        return block
    }

    /// `size` bytes aligned to 16, valid until the arena is released.
    func allocateUninitialized(_ size: Int) -> UnsafeMutableRawPointer {
        let rounded = max(16, (size + 15) & ~15)
        if rounded > remaining {
            let chunkSize = max(Self.chunkSize, rounded)
            guard let chunk = malloc(chunkSize) else { fatalError("out of memory allocating \(chunkSize) bytes") }
            chunks.append(chunk)
            cursor = chunk
            remaining = chunkSize
        }
        let block = cursor!
        cursor = block + rounded
        remaining -= rounded
        return block
    }

    /// Runs `body` with a protobuf-c allocator drawing from this arena (its `free` does nothing:
    /// everything goes when the arena does), so an unpack costs a few mallocs instead of one per
    /// message, string and repeated field.
    func withAllocator<Result>(_ body: (UnsafeMutablePointer<ProtobufCAllocator>) -> Result) -> Result {
        var allocator = ProtobufCAllocator(
            alloc: { data, size in
                Unmanaged<ProtoCArena>.fromOpaque(data!).takeUnretainedValue().allocateUninitialized(size)
            },
            free: { _, _ in },
            allocator_data: Unmanaged.passUnretained(self).toOpaque())
        return withExtendedLifetime(self) { body(&allocator) }
    }

    /// A NUL-terminated copy of `string`'s UTF-8 (protobuf-c strings are `char *`).
    func cString(_ string: String) -> UnsafeMutablePointer<CChar> {
        var string = string
        return string.withUTF8 { utf8 in
            let block = allocate(utf8.count + 1)
            if let base = utf8.baseAddress { block.copyMemory(from: base, byteCount: utf8.count) }
            return block.assumingMemoryBound(to: CChar.self)
        }
    }

    /// A copy of `bytes` as protobuf-c binary data.
    func binary(_ bytes: [UInt8]) -> ProtobufCBinaryData {
        guard !bytes.isEmpty else { return ProtobufCBinaryData(len: 0, data: nil) }
        let block = allocate(bytes.count)
        bytes.withUnsafeBytes { block.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return ProtobufCBinaryData(len: bytes.count, data: block.assumingMemoryBound(to: UInt8.self))
    }

    /// A fresh C message of `schema`, initialised to its defaults by protobuf-c.
    func message(_ schema: ProtoCSchema) -> UnsafeMutableRawPointer {
        let block = allocate(Int(schema.descriptor.pointee.sizeof_message))
        protobuf_c_message_init(schema.descriptor, block)
        return block
    }
}
