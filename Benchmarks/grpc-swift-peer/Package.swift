// swift-tools-version:6.1
// The grpc-swift-2 peer for Benchmarks/rpc/run.sh (issue 3, Proof).
//
// A separate package on purpose: the BoxOffice product never depends on it, and CI never builds
// it. Its first release build takes 30+ minutes on a 2-core machine; run.sh builds it on demand.
import PackageDescription

let package = Package(
    name: "grpc-swift-peer",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "grpc-swift-echo-server", targets: ["grpc-swift-echo-server"])
    ],
    dependencies: [
        .package(url: "https://github.com/grpc/grpc-swift-2.git", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", exact: "2.9.2"),
        // Already in the graph through the transport; named for the optional `--executor nio`.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.96.0"),
    ],
    targets: [
        .executableTarget(
            name: "grpc-swift-echo-server",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: [
                .swiftLanguageMode(.v6),
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("InternalImportsByDefault"),
            ]
        )
    ]
)
