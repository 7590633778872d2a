import Testing
import BoxOfficeRedis

@Suite("Configuration from URLs")
struct RedisConfigurationTests {
    @Test func hostAndPort() throws {
        let configuration = try RedisConfiguration(url: "redis://127.0.0.1:56379")
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 56379)
        #expect(configuration.password == nil)
        #expect(configuration.username == nil)
        #expect(configuration.database == 0)
    }

    @Test func defaultPortAndDatabase() throws {
        let configuration = try RedisConfiguration(url: "redis://cache.internal/3")
        #expect(configuration.port == 6379)
        #expect(configuration.database == 3)
    }

    @Test func userPasswordPercentDecoded() throws {
        let configuration = try RedisConfiguration(url: "redis://booking:p%40ss%3Aw@10.0.0.1:7000/1")
        #expect(configuration.username == "booking")
        #expect(configuration.password == "p@ss:w")
        #expect(configuration.host == "10.0.0.1")
        #expect(configuration.port == 7000)
        #expect(configuration.database == 1)
    }

    @Test func passwordOnly() throws {
        #expect(try RedisConfiguration(url: "redis://:secret@h:1").password == "secret")
        #expect(try RedisConfiguration(url: "redis://:secret@h:1").username == nil)
        #expect(try RedisConfiguration(url: "redis://secret@h:1").password == "secret")
    }

    @Test(arguments: ["http://h:1", "redis://", "redis://h:notaport", "redis://h:70000", "redis://h/x", "redis://a:%zz@h"])
    func invalidURLs(url: String) {
        do {
            _ = try RedisConfiguration(url: url)
            Issue.record("\(url) must be rejected")
        } catch {
            #expect(error.code == .invalidConfiguration)
        }
    }
}
