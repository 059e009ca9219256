// swift-tools-version: 6.1
import PackageDescription

// Baton: a highly available failover manager for MySQL and MariaDB replication.
// The module map and the rules about who may import whom are in docs/architecture.md. Every module a target
// imports is declared below; `scripts/test` builds with `--explicit-target-dependency-import-check error`, so an
// import the graph does not allow (say, BatonStore from BatonHTTP) fails the build, and `MemberImportVisibility`
// makes each file import what it uses.

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "baton",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "baton", targets: ["baton"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // Lua 5.4 behind one small shim; the policy issue brings BatonPolicy on top of it.
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        .target(
            name: "BatonCore",
            swiftSettings: swiftSettings
        ),
        // The pure Raft state machine and its wire codec (standard library only), and in Runtime/ the node that runs
        // it: timers, the storage protocol, the TCP and in-memory transports (docs/raft.md).
        .target(
            name: "BatonRaft",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BatonMySQL",
            dependencies: [
                "BatonCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BatonStore",
            dependencies: [
                "BatonCore", "BatonRaft",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BatonPolicy",
            dependencies: ["BatonCore", "CLua", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BatonHooks",
            dependencies: ["BatonCore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BatonEngine",
            dependencies: [
                "BatonCore", "BatonMySQL", "BatonStore", "BatonPolicy", "BatonHooks", "BatonRaft",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The API over one BatonNode: never the store or the Raft node directly (BatonEngine's façades).
        .target(
            name: "BatonHTTP",
            dependencies: [
                "BatonCore", "BatonEngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BatonClient",
            dependencies: [
                "BatonCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "baton",
            dependencies: [
                "BatonCore", "BatonEngine", "BatonHTTP", "BatonClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BatonTestSupport",
            dependencies: [
                "BatonCore", "BatonMySQL", "BatonEngine", "BatonRaft", "BatonStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "baton-bench-probe",
            dependencies: [
                "BatonCore", "BatonMySQL", "BatonEngine",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "bench/ProbeBenchmark",
            swiftSettings: swiftSettings
        ),
        // Deterministic Raft simulation: run seeds, replay a failing one (docs/raft.md).
        .executableTarget(
            name: "baton-raft-sim",
            dependencies: [
                "BatonRaft", "BatonTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "bench/RaftSimulation",
            swiftSettings: swiftSettings
        ),
        // Raft failover and leadership transfer over TCP, measured (BENCHMARKS.md).
        .executableTarget(
            name: "baton-raft-election",
            dependencies: [
                "BatonRaft", "BatonTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "bench/RaftElection",
            swiftSettings: swiftSettings
        ),
        // Thousands of simulated MySQL/MariaDB servers in one process, for benchmarks and demos (docs/simulator.md).
        .executableTarget(
            name: "baton-fleet",
            dependencies: [
                "BatonCore", "BatonTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "bench/Fleet",
            swiftSettings: swiftSettings
        ),

        // The module graph and the size of source files, read from Sources/ (no module of Baton's own is linked).
        .testTarget(name: "ArchitectureTests", swiftSettings: swiftSettings),
        .testTarget(name: "BatonCoreTests", dependencies: ["BatonCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "BatonRaftTests", dependencies: ["BatonRaft", "BatonTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "BatonMySQLTests",
            dependencies: [
                "BatonMySQL", "BatonCore", "BatonTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BatonFleetTests",
            dependencies: [
                "BatonTestSupport", "BatonMySQL", "BatonCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "BatonPolicyTests", dependencies: ["BatonPolicy", "BatonCore"], swiftSettings: swiftSettings),
        .testTarget(name: "BatonHooksTests", dependencies: ["BatonHooks", "BatonCore"], swiftSettings: swiftSettings),
        .testTarget(name: "BatonStoreTests", dependencies: ["BatonStore", "BatonCore"], swiftSettings: swiftSettings),
        // The Raft runtime: in-memory nodes, the TCP transport, raft.sqlite3 (with a kill -9 child process), three
        // nodes over real TCP on 127.0.0.1, and Baton's replicated state machine on in-process Raft nodes.
        .testTarget(
            name: "BatonRaftRuntimeTests",
            dependencies: [
                "BatonRaft", "BatonStore", "BatonTestSupport", "BatonEngine", "BatonCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BatonEngineTests",
            dependencies: [
                "BatonEngine", "BatonCore", "BatonTestSupport", "BatonHooks", "BatonStore", "BatonMySQL",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BatonHTTPTests",
            dependencies: [
                "BatonHTTP", "BatonEngine", "BatonStore", "BatonCore", "BatonTestSupport", "BatonHooks",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BatonClientTests", dependencies: ["BatonClient", "BatonCore", "BatonTestSupport"],
            swiftSettings: swiftSettings),
        // Baton at scale against the fleet simulator: a real `baton serve` process recovering a hundred simulated
        // clusters at once (no MariaDB needed; the `baton` binary is built next to the tests).
        .testTarget(
            name: "BatonScaleTests",
            dependencies: [
                "BatonCore", "BatonTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        // Slow tests against real MariaDB servers started by scripts/sandbox and a real `baton serve` process.
        // `swift test --skip BatonSystemTests` leaves them out during development; CI runs everything.
        .testTarget(
            name: "BatonSystemTests",
            dependencies: [
                "BatonCore", "BatonMySQL", "BatonEngine", "BatonStore", "BatonHTTP", "BatonClient", "BatonRaft",
                "BatonTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
