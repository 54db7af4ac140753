// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "dossierd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "dossierd", targets: ["dossierd"]),
        .executable(name: "dossier", targets: ["dossier"]),
        .executable(name: "dossier-bench", targets: ["dossier-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
    ],
    targets: [
        // libpq, found through pkg-config (Debian: libpq-dev).
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // A small, safe Swift layer over libpq: connections, results, errors, pool.
        .target(name: "Postgres", dependencies: ["CLibPQ"], swiftSettings: strict),
        // A private PostgreSQL cluster on this machine (embedded default, tests).
        .target(name: "LocalPostgres", dependencies: ["Postgres"], swiftSettings: strict),
        // Migrations, schema version, bootstrap, database logins.
        .target(
            name: "DossierStore",
            dependencies: ["Postgres"],
            resources: [.embedInCode("migrations")],
            swiftSettings: strict
        ),
        // Backup and restore: pg_dump/pg_restore, manifest, checksums.
        .target(
            name: "DossierBackup",
            dependencies: ["Postgres", "LocalPostgres", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // Pure domain rules: no I/O.
        .target(name: "DossierDomain", swiftSettings: strict),
        // Customers' personal data protection without I/O: the key file, AES-GCM field
        // sealing under per-customer data keys, blind indexes (HMAC), masks.
        .target(
            name: "DossierPrivacy",
            dependencies: ["DossierDomain", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // The DOSSIER/1 line protocol: tokens, typed commands, responses. No I/O.
        .target(name: "DossierProtocol", dependencies: ["DossierDomain"], swiftSettings: strict),
        // The TCP server and command execution.
        .target(
            name: "DossierServer",
            dependencies: [
                "DossierProtocol", "DossierDomain", "DossierStore", "DossierBackup", "DossierPrivacy", "Postgres",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "dossierd",
            dependencies: [
                "DossierServer", "DossierProtocol", "DossierStore", "DossierBackup", "DossierPrivacy", "LocalPostgres", "Postgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The console client's logic without I/O: display width, tables, line editing.
        .target(name: "DossierConsole", dependencies: ["DossierProtocol"], swiftSettings: strict),
        // The console's connection: lines over plain TCP or TLS (NIOSSL driven by hand), blocking.
        .target(
            name: "LineTransport",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "dossier",
            dependencies: [
                "DossierConsole", "DossierProtocol", "LineTransport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // Load generator for the network-layer benchmark (deploy/bench/network.sh).
        .executableTarget(
            name: "dossier-bench",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TestSupport",
            dependencies: ["Postgres", "LocalPostgres", "DossierStore", "LineTransport"],
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "DossierStoreTests", dependencies: ["DossierStore", "Postgres", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "DossierDomainTests", dependencies: ["DossierDomain"], swiftSettings: strict),
        .testTarget(name: "DossierProtocolTests", dependencies: ["DossierProtocol", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "DossierConsoleTests", dependencies: ["DossierConsole", "DossierProtocol"], swiftSettings: strict),
        .testTarget(name: "DossierServerTests", dependencies: [
            "DossierServer", "DossierBackup", "DossierPrivacy", "TestSupport", "Postgres", "LocalPostgres",
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
        ], swiftSettings: strict),
        .testTarget(name: "DossierPrivacyTests", dependencies: ["DossierPrivacy", "DossierDomain"], swiftSettings: strict),
    ]
)
