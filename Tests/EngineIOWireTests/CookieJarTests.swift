@testable import EngineIOWire
import Testing

@Suite("Cookie jar")
struct CookieJarTests {
    @Test("a load balancer's cookie goes back to the same host on later requests, and to no other host")
    func replaysToTheSameHost() {
        var jar = CookieJar()
        jar.receive("SERVERID=b2; path=/", host: "LB.example", requestPath: "/engine.io/")
        #expect(jar.header(host: "lb.example", path: "/engine.io/", secure: false) == "SERVERID=b2")
        #expect(jar.header(host: "other.example", path: "/engine.io/", secure: false) == nil)
        jar.receive("io=abc", host: "lb.example", requestPath: "/engine.io/")
        #expect(jar.header(host: "lb.example", path: "/engine.io/", secure: false) == "io=abc; SERVERID=b2")
    }

    @Test("a cookie set again replaces the old value, and Max-Age 0 deletes it")
    func replaceAndDelete() {
        var jar = CookieJar()
        jar.receive("SERVERID=b1; Path=/", host: "h", requestPath: "/engine.io/")
        jar.receive("SERVERID=b3; Path=/", host: "h", requestPath: "/engine.io/")
        #expect(jar.header(host: "h", path: "/engine.io/", secure: false) == "SERVERID=b3")
        jar.receive("SERVERID=; Path=/; Max-Age=0", host: "h", requestPath: "/engine.io/")
        #expect(jar.header(host: "h", path: "/engine.io/", secure: false) == nil)
    }

    @Test("paths scope cookies, with the request's directory as the default path; Secure cookies need TLS")
    func pathsAndSecure() {
        var jar = CookieJar()
        jar.receive("a=1; Path=/engine.io", host: "h", requestPath: "/")
        jar.receive("b=2", host: "h", requestPath: "/socket/engine.io/?EIO=4")
        jar.receive("c=3; Secure; path=/", host: "h", requestPath: "/")
        #expect(jar.header(host: "h", path: "/engine.io/", secure: false) == "a=1")
        #expect(jar.header(host: "h", path: "/engine.iox", secure: false) == nil)
        #expect(jar.header(host: "h", path: "/socket/engine.io/", secure: true) == "b=2; c=3")
        #expect(CookieJar.defaultPath("/a/b?x=/y") == "/a")
        #expect(CookieJar.defaultPath("/a") == "/")
    }

    @Test("junk is ignored and a server cannot grow the jar past its capacity")
    func bounded() {
        var jar = CookieJar()
        for text in ["", "=x", "novalue", "; path=/", String(repeating: "k", count: 5_000) + "=v"] {
            jar.receive(text, host: "h", requestPath: "/")
        }
        #expect(jar.cookies.isEmpty)
        for index in 0..<1_000 { jar.receive("c\(index)=v", host: "h", requestPath: "/") }
        #expect(jar.cookies.count == CookieJar.capacity)
        #expect(jar.cookies.last?.name == "c999")
    }
}
