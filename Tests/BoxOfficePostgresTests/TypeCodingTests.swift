import BoxOfficePostgres
import Foundation
import Testing

@Suite("Typed parameters and binary decoding against a real server")
struct TypeCodingTests {
    @Test func roundTripsEveryColumnTypeWeUse() async throws {
        try await withTestConnection("types") { connection in
            _ = try await connection.simpleQuery("""
                CREATE TABLE everything (
                    small int2, regular int4, big bigint, label text, flag bool, at timestamptz,
                    id uuid, raw bytea, ids bigint[], tags text[], doc jsonb, ratio float8)
                """)
            let at = Date(timeIntervalSince1970: 1_790_000_000.123456)
            let id = UUID()
            let raw: [UInt8] = [0, 1, 2, 255, 0, 39]
            let tags = ["a,b", "quote\"d", "back\\slash", "NULL", "", "{brace}", "ünïcødé"]
            let inserted = try await connection.execute(
                "INSERT INTO everything VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                [Int16(-7), Int32(123_456), Int64.max, "it's \"fine\"", true, at, id, raw, [Int64(1), -2, 3_000_000_000],
                 tags, PostgresJSONB(#"{"seat": "A1", "n": [1, 2]}"#), 0.25])
            #expect(inserted == 1)
            let row = try await connection.query("SELECT * FROM everything")[0]
            #expect(try row.decode(Int16.self, column: "small") == -7)
            #expect(try row.decode(Int.self, column: "small") == -7)
            #expect(try row.decode(Int32.self, column: "regular") == 123_456)
            #expect(try row.decode(Int.self, column: "regular") == 123_456)
            #expect(try row.decode(Int64.self, column: "big") == .max)
            #expect(try row.decode(String.self, column: "label") == "it's \"fine\"")
            #expect(try row.decode(Bool.self, column: "flag") == true)
            let decodedAt = try row.decode(Date.self, column: "at")
            #expect(abs(decodedAt.timeIntervalSince1970 - at.timeIntervalSince1970) < 0.000_001)
            #expect(try row.decode(UUID.self, column: "id") == id)
            #expect(try row.decode([UInt8].self, column: "raw") == raw)
            #expect(try row.decode([Int64].self, column: "ids") == [1, -2, 3_000_000_000])
            #expect(try row.decode([Int].self, column: "ids") == [1, -2, 3_000_000_000])
            #expect(try row.decode([String].self, column: "tags") == tags)
            let doc = try row.decode(PostgresJSONB.self, column: "doc")
            #expect(String(decoding: doc.bytes, as: UTF8.self) == #"{"n": [1, 2], "seat": "A1"}"#)
            #expect(try row.decode(String.self, column: "doc") == #"{"n": [1, 2], "seat": "A1"}"#)
            #expect(try row.decode(Double.self, column: "ratio") == 0.25)
        }
    }

    @Test func nullsDecodeAsOptionalsAndFailAsValues() async throws {
        try await withTestConnection("nulls") { connection in
            let row = try await connection.query("SELECT $1::bigint AS n, $2::text AS t", [Int64?.none, String?.none])[0]
            #expect(try row.decode(Int64?.self, column: 0) == nil)
            #expect(try row.decode(String?.self, column: "t") == nil)
            let error = #expect(throws: PostgresError.self) { _ = try row.decode(Int64.self, column: 0) }
            #expect(error?.code == .decoding)
            let present = try await connection.query("SELECT $1::bigint", [Int64?.some(5)])[0]
            #expect(try present.decode(Int64?.self, column: 0) == 5)
        }
    }

    /// Empty text, empty bytes and NULL between other values: each parameter keeps its own bytes
    /// and length (they share one scratch block on the way to libpq).
    @Test func emptyAndNullParametersSitBetweenOthers() async throws {
        try await withTestConnection("empties") { connection in
            let empty: [UInt8] = []
            let row = try await connection.query(
                "SELECT $1::text, $2::bytea, $3::text, $4::text, $5::bytea, octet_length($2::bytea), octet_length($1::text)",
                ["", empty, String?.none, "after ünïcødé", [UInt8]([0, 0, 7])])[0]
            #expect(try row.decode(String.self, column: 0) == "")
            #expect(try row.decode([UInt8].self, column: 1) == [])
            #expect(try row.decode(String?.self, column: 2) == nil)
            #expect(try row.decode(String.self, column: 3) == "after ünïcødé")
            #expect(try row.decode([UInt8].self, column: 4) == [0, 0, 7])
            #expect(try row.decode(Int.self, column: 5) == 0)
            #expect(try row.decode(Int.self, column: 6) == 0)
        }
    }

    @Test func mismatchedTypesAreDecodingErrors() async throws {
        try await withTestConnection("mismatch") { connection in
            let row = try await connection.query("SELECT 'x'::text, 3000000000::bigint, ARRAY[1, NULL]::int8[]")[0]
            #expect(throws: PostgresError.self) { _ = try row.decode(Int.self, column: 0) }
            #expect(throws: PostgresError.self) { _ = try row.decode(Int32.self, column: 1) }
            #expect(throws: PostgresError.self) { _ = try row.decode([Int64].self, column: 2) }
            #expect(throws: PostgresError.self) { _ = try row.decode(Int.self, column: 9) }
        }
    }

    @Test func emptyArraysAndInfiniteTimestamps() async throws {
        try await withTestConnection("edges") { connection in
            let row = try await connection.query(
                "SELECT '{}'::bigint[], '{}'::text[], 'infinity'::timestamptz, '-infinity'::timestamptz, $1::timestamptz",
                [Date(timeIntervalSince1970: -86_400.5)])[0]
            #expect(try row.decode([Int64].self, column: 0) == [])
            #expect(try row.decode([String].self, column: 1) == [])
            #expect(try row.decode(Date.self, column: 2) == .distantFuture)
            #expect(try row.decode(Date.self, column: 3) == .distantPast)
            #expect(try row.decode(Date.self, column: 4).timeIntervalSince1970 == -86_400.5)
        }
    }

    @Test func textFormatResultsFromSimpleQueriesDecodeBasicTypes() async throws {
        try await withTestConnection("text") { connection in
            let result = try await connection.simpleQuery("SELECT 42::int4, true, 'seat'::text, 1.5::float8, '{\"a\":1}'::jsonb")
            let row = result.rows[0]
            #expect(try row.decode(Int.self, column: 0) == 42)
            #expect(try row.decode(Bool.self, column: 1) == true)
            #expect(try row.decode(String.self, column: 2) == "seat")
            #expect(try row.decode(Double.self, column: 3) == 1.5)
            #expect(try row.decode([UInt8].self, column: 4) == Array(#"{"a": 1}"#.utf8))
        }
    }

    @Test(arguments: [
        (0.0, "1970-01-01 00:00:00.000000+00"),
        (1_790_000_000.5, "2026-09-21 14:13:20.500000+00"),
        (-0.25, "1969-12-31 23:59:59.750000+00"),
        (951_782_400, "2000-02-29 00:00:00.000000+00"),
    ])
    func timestampLiterals(seconds: Double, literal: String) {
        #expect(Date(timeIntervalSince1970: seconds).postgresValue == .text(literal))
    }

    @Test func arrayLiteralsQuoteEveryElement() {
        #expect(["a", "b\"c", "d\\e"].postgresValue == .text(#"{"a","b\"c","d\\e"}"#))
        #expect([Int64(1), 2].postgresValue == .text("{1,2}"))
        #expect([UInt8](arrayLiteral: 1, 2).postgresValue == .binary([1, 2]))
        #expect(Int?.none.postgresValue == .null)
    }
}
