import Testing
@Test func zzDeliberateLeakSanity() {
    let pointer = UnsafeMutableRawPointer.allocate(byteCount: 1234, alignment: 8)
    pointer.storeBytes(of: 1, as: Int.self)
}
