@testable import boxoffice_codegen
import Testing

/// The generator's naming rules (swift-protobuf's), which other code predicts names from.
@Suite struct NamingTests {
    @Test(arguments: [
        ("boxoffice.inventory.v1", "Boxoffice_Inventory_V1_"),
        ("grpc.health.v1", "Grpc_Health_V1_"),
        ("grpc.reflection.v1alpha", "Grpc_Reflection_V1alpha_"),
        ("some_pkg.sub", "SomePkg_Sub_"),
        ("", ""),
    ])
    func packagePrefixes(_ package: String, _ prefix: String) {
        #expect(Naming.typePrefix(package: package) == prefix)
    }

    @Test(arguments: [
        ("seat_ids", "seatIds"), ("hold_id", "holdID"), ("event_id", "eventID"), ("id", "id"),
        ("callback_url", "callbackURL"), ("interval_us", "intervalUs"), ("file_descriptor_proto", "fileDescriptorProto"),
        ("max_reconnect_backoff_ms", "maxReconnectBackoffMs"), ("field2_name", "field2Name"), ("v1alpha", "v1Alpha"),
    ])
    func fieldNames(_ proto: String, _ swift: String) {
        #expect(Naming.lowerCamel(proto) == swift)
    }

    @Test func jsonNamesStayPlainLowerCamel() {
        #expect(Naming.jsonName("hold_id") == "holdId")
        #expect(Naming.jsonName("seat_ids") == "seatIds")
    }

    @Test(arguments: [
        ("SEAT_STATUS_AVAILABLE", "SeatStatus", "available"),
        ("SEAT_STATUS_UNSPECIFIED", "SeatStatus", "unspecified"),
        ("NOT_SERVING", "ServingStatus", "notServing"),
        ("SERVICE_UNKNOWN", "ServingStatus", "serviceUnknown"),
        ("GRPCLB_ROUTE_TYPE_FALLBACK", "GrpclbRouteType", "fallback"),
        ("COLOR_2D", "Color", "color2D"),  // stripping would start with a digit: kept whole
        ("HTTP_URL", "Scheme", "httpURL"),
    ])
    func enumCases(_ value: String, _ enumName: String, _ swift: String) {
        #expect(Naming.enumCaseName(value, enumName: enumName) == swift)
    }

    @Test func keywordsAreEscapedAndReservedTypeNamesSuffixed() {
        #expect(Naming.escaped("default") == "`default`")
        #expect(Naming.escaped("seats") == "seats")
        #expect(Naming.nestedTypeName("Type", suffix: "Enum") == "TypeEnum")
    }

    @Test func fileNames() {
        #expect(FileEmitter.outputName(for: "grpc/health/v1/health.proto") == "grpc_health_v1_health.pb.swift")
    }
}
