/// The metadata keys and values of grpc's interop test descriptions.
public enum InteropMetadata {
    /// An ASCII request header the server echoes in its response headers.
    public static let echoInitialKey = "x-grpc-test-echo-initial"
    /// A binary request header the server echoes in its trailers.
    public static let echoTrailingKey = "x-grpc-test-echo-trailing-bin"
    /// The value custom_metadata sends under ``echoInitialKey``.
    public static let initialValue = "test_initial_metadata_value"
    /// The bytes custom_metadata sends under ``echoTrailingKey``.
    public static let trailingValue: [UInt8] = [0xAB, 0xAB, 0xAB]
}
