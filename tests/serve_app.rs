//! `firedrill serve-app`: the built binary serves a folder made for each
//! test (an `index.html`, a hashed wasm file, a subfolder, a file beside the
//! folder to try to reach) on a free port of 127.0.0.1, and the tests speak
//! raw HTTP to it: content types and caching, HEAD, keep-alive, redirects,
//! 304, 400/404/405/503, paths that try to leave the folder. The refusals
//! go through the exit code and stderr. The pure parts (content types,
//! hashed names, request paths, dates, the banner) are tables.
//!
//! No test depends on timing: every wait has a generous deadline. Native
//! only (a server, processes).
#![cfg(not(target_arch = "wasm32"))]

use firedrill::cli::serve::{
    banner, cache_control, content_type, http_date, is_content_hashed, request_path, PathError,
    Room, MAX_CONNECTIONS, MAX_HEAD_BYTES,
};
use std::fs;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Ipv6Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, UNIX_EPOCH};

/// The longest any wait lasts before the test fails.
const GENEROUS: Duration = Duration::from_secs(60);

const INDEX: &str = "<!doctype html><title>Firedrill</title><p>the app</p>\n";
const SUB_INDEX: &str = "<!doctype html><title>Sub</title><p>the subfolder</p>\n";
const WASM_NAME: &str = "firedrill-6081f9f4f628d424_bg.wasm";
const WASM: &[u8] = b"\0asm\x01\0\0\0 not really a module, but bytes";
const SECRET: &str = "SECRET: a file beside the served folder";

/// A folder made for one test, removed at the end:
///
/// ```text
/// BASE/outside.txt           SECRET
/// BASE/dist/index.html       INDEX
/// BASE/dist/WASM_NAME        WASM
/// BASE/dist/sub/index.html   SUB_INDEX
/// BASE/dist/scenarios/a.toml
/// BASE/dist/link-out.txt     -> ../outside.txt   (Unix)
/// BASE/dist/link-up          -> ..               (Unix)
/// ```
struct Fixture {
    base: PathBuf,
}

impl Fixture {
    fn new(name: &str) -> Fixture {
        let base =
            std::env::temp_dir().join(format!("firedrill-serve-app-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        let dist = base.join("dist");
        fs::create_dir_all(dist.join("sub")).expect("create the fixture");
        fs::create_dir_all(dist.join("scenarios")).expect("create the fixture");
        fs::write(base.join("outside.txt"), SECRET).expect("write the fixture");
        fs::write(dist.join("index.html"), INDEX).expect("write the fixture");
        fs::write(dist.join(WASM_NAME), WASM).expect("write the fixture");
        fs::write(dist.join("sub/index.html"), SUB_INDEX).expect("write the fixture");
        fs::write(dist.join("scenarios/a.toml"), "id = \"a\"\n").expect("write the fixture");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("../outside.txt", dist.join("link-out.txt"))
                .expect("symlink");
            std::os::unix::fs::symlink("..", dist.join("link-up")).expect("symlink");
        }
        Fixture { base }
    }

    fn dist(&self) -> PathBuf {
        self.base.join("dist")
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.base);
    }
}

/// A running `firedrill serve-app`, killed when dropped (a failed assertion
/// included).
struct Served {
    child: Child,
    port: u16,
    banner: String,
}

impl Served {
    /// Starts the server on `dir` with `--port 0` and `extra` arguments, and
    /// reads its banner up to "Stop with Ctrl+C.".
    fn start(dir: &Path, extra: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_firedrill"))
            .arg("serve-app")
            .arg(dir)
            .args(["--port", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the firedrill binary starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut served = Served {
            child,
            port: 0,
            banner: String::new(),
        };
        let (lines, received) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + GENEROUS;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = received.recv_timeout(left).unwrap_or_else(|_| {
                panic!(
                    "no complete banner on stdout within {GENEROUS:?}; so far:\n{}",
                    served.banner
                )
            });
            served.banner.push_str(&line);
            served.banner.push('\n');
            if let Some(at) = line.find("http://127.0.0.1:") {
                let port = &line[at + "http://127.0.0.1:".len()..];
                served.port = port
                    .trim_end_matches('/')
                    .parse()
                    .unwrap_or_else(|_| panic!("a port in {line:?}"));
            }
            if line == "Stop with Ctrl+C." {
                break;
            }
        }
        assert_ne!(served.port, 0, "no 127.0.0.1 URL in\n{}", served.banner);
        served
    }

    fn connect(&self) -> Client {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to the server");
        stream.set_read_timeout(Some(GENEROUS)).expect("timeout");
        stream.set_write_timeout(Some(GENEROUS)).expect("timeout");
        Client {
            reader: BufReader::new(stream),
        }
    }

    /// One request on a new connection; its response.
    fn exchange(&self, request: &str) -> Response {
        let mut client = self.connect();
        client.send(request);
        client.response(request.starts_with("HEAD "))
    }

    /// `GET path` on a new connection, which then closes.
    fn get(&self, path: &str) -> Response {
        self.exchange(&format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        ))
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One connection to the server.
struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    fn send(&mut self, raw: &str) {
        self.reader
            .get_mut()
            .write_all(raw.as_bytes())
            .expect("send the request");
    }

    /// The next response; `head`: the answer to a HEAD, without a body.
    fn response(&mut self, head: bool) -> Response {
        let mut status_line = String::new();
        self.reader
            .read_line(&mut status_line)
            .expect("read the status line");
        assert!(
            status_line.starts_with("HTTP/1.1 ") && status_line.ends_with("\r\n"),
            "status line {status_line:?}"
        );
        let status = status_line[9..12].parse().expect("a status code");
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).expect("read a header");
            assert!(line.ends_with("\r\n"), "header line {line:?}");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').expect("name: value");
            headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
        }
        let mut response = Response {
            status,
            headers,
            body: Vec::new(),
        };
        if !head && status != 304 {
            let length: usize = response
                .header("content-length")
                .expect("a Content-Length")
                .parse()
                .expect("a number");
            response.body = vec![0; length];
            self.reader
                .read_exact(&mut response.body)
                .expect("read the body");
        }
        response
    }

    /// Whether the server closed the connection (end of file, or a reset)
    /// instead of sending anything more.
    fn closed(&mut self) -> bool {
        let mut byte = [0u8; 1];
        match self.reader.read(&mut byte) {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => e.kind() == ErrorKind::ConnectionReset,
        }
    }
}

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Runs `firedrill ARGS` that must exit (within [`GENEROUS`]); its exit
/// code and stderr.
fn run_to_exit(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_firedrill"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the firedrill binary starts");
    let deadline = Instant::now() + GENEROUS;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for firedrill") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("firedrill {args:?} did not exit within {GENEROUS:?}");
        }
        thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        pipe.read_to_string(&mut stderr).expect("read stderr");
    }
    (status.code(), stderr)
}

// ---- Serving files ---------------------------------------------------------

#[test]
fn index_html_is_html_with_its_body_and_revalidated() {
    let fixture = Fixture::new("index");
    let served = Served::start(&fixture.dist(), &[]);
    let response = served.get("/index.html");
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(
        response.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(response.header("cache-control"), Some("no-cache"));
    assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
    assert!(response.header("etag").is_some(), "{response:?}");
    assert!(response.header("date").is_some_and(|d| d.ends_with(" GMT")));
    assert_eq!(response.text(), INDEX);
}

#[test]
fn the_root_serves_index_html() {
    let fixture = Fixture::new("root");
    let served = Served::start(&fixture.dist(), &[]);
    let response = served.get("/");
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(
        response.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(response.text(), INDEX);
    let sub = served.get("/sub/");
    assert_eq!(sub.status, 200, "{sub:?}");
    assert_eq!(sub.text(), SUB_INDEX);
}

#[test]
fn hashed_wasm_is_application_wasm_and_immutable() {
    let fixture = Fixture::new("wasm");
    let served = Served::start(&fixture.dist(), &[]);
    let response = served.get(&format!("/{WASM_NAME}"));
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(response.header("content-type"), Some("application/wasm"));
    assert_eq!(
        response.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(response.body, WASM);
    let toml = served.get("/scenarios/a.toml");
    assert_eq!(
        toml.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(toml.header("cache-control"), Some("no-cache"));
}

#[test]
fn head_has_the_length_and_no_body() {
    let fixture = Fixture::new("head");
    let served = Served::start(&fixture.dist(), &[]);
    let mut client = served.connect();
    client.send(&format!(
        "HEAD /{WASM_NAME} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    ));
    let head = client.response(true);
    assert_eq!(head.status, 200, "{head:?}");
    assert_eq!(
        head.header("content-length"),
        Some(WASM.len().to_string().as_str())
    );
    assert_eq!(head.header("content-type"), Some("application/wasm"));
    // Had a body followed, this would read it as the next status line.
    client.send("GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    let next = client.response(false);
    assert_eq!(next.status, 200, "{next:?}");
    assert_eq!(next.text(), INDEX);
}

#[test]
fn a_keep_alive_connection_serves_several_requests() {
    let fixture = Fixture::new("keep-alive");
    let served = Served::start(&fixture.dist(), &[]);
    let mut client = served.connect();
    for (path, body) in [("/index.html", INDEX), ("/sub/", SUB_INDEX)] {
        client.send(&format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        let response = client.response(false);
        assert_eq!(response.status, 200, "{path}: {response:?}");
        assert_eq!(response.header("connection"), None, "{path}");
        assert_eq!(response.text(), body, "{path}");
    }
    // Pipelined: both requests at once, both answered in order.
    client.send(
        "GET /sub/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    );
    assert_eq!(client.response(false).text(), SUB_INDEX);
    assert_eq!(client.response(false).text(), INDEX);
}

#[test]
fn close_and_http_1_0_end_the_connection_unless_kept_alive() {
    let fixture = Fixture::new("close");
    let served = Served::start(&fixture.dist(), &[]);
    for request in [
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        "GET / HTTP/1.0\r\n\r\n",
    ] {
        let mut client = served.connect();
        client.send(request);
        let response = client.response(false);
        assert_eq!(response.status, 200, "{request:?}: {response:?}");
        assert_eq!(response.header("connection"), Some("close"), "{request:?}");
        assert!(client.closed(), "{request:?}: still open");
    }
    let mut client = served.connect();
    for _ in 0..2 {
        client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        let response = client.response(false);
        assert_eq!(response.status, 200, "{response:?}");
        assert_eq!(response.header("connection"), Some("keep-alive"));
        assert_eq!(response.text(), INDEX);
    }
}

#[test]
fn a_missing_file_is_404_with_a_short_text_body() {
    let fixture = Fixture::new("missing");
    let served = Served::start(&fixture.dist(), &[]);
    for path in [
        "/nope.js",
        "/sub/nope/",
        "/index.html/",
        "/scenarios/a.toml/x",
    ] {
        let response = served.get(path);
        assert_eq!(response.status, 404, "{path}: {response:?}");
        assert_eq!(
            response.header("content-type"),
            Some("text/plain; charset=utf-8"),
            "{path}"
        );
        assert_eq!(response.text(), "404 Not Found\n", "{path}");
    }
}

#[test]
fn paths_never_leave_the_folder() {
    let fixture = Fixture::new("escape");
    let served = Served::start(&fixture.dist(), &[]);
    let mut attempts = vec![
        "/../outside.txt",
        "/%2e%2e/outside.txt",
        "/%2E%2E/outside.txt",
        "/sub/%2e%2e/%2e%2e/outside.txt",
        "/sub/../../outside.txt",
        "/..%2foutside.txt",
        "/sub/..%5c..%5coutside.txt",
        "/..\\outside.txt",
        "/.%2e/outside.txt",
        "/outside.txt%00",
        "http://127.0.0.1/../outside.txt",
        "/outside.txt",
    ];
    if cfg!(unix) {
        attempts.extend(["/link-out.txt", "/link-up/outside.txt", "/link-up/"]);
    }
    for path in attempts {
        let response = served.get(path);
        assert!(matches!(response.status, 400 | 404), "{path}: {response:?}");
        assert!(!response.text().contains("SECRET"), "{path}: {response:?}");
    }
}

#[test]
fn other_methods_are_405_with_allow() {
    let fixture = Fixture::new("methods");
    let served = Served::start(&fixture.dist(), &[]);
    let mut client = served.connect();
    for method in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"] {
        client.send(&format!(
            "{method} /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\n\r\nx=1"
        ));
        let response = client.response(false);
        assert_eq!(response.status, 405, "{method}: {response:?}");
        assert_eq!(response.header("allow"), Some("GET, HEAD"), "{method}");
    }
    // The bodies were read and ignored: the connection still serves.
    client.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assert_eq!(client.response(false).text(), INDEX);
}

#[test]
fn a_body_on_get_is_ignored_or_closes_the_connection() {
    let fixture = Fixture::new("bodies");
    let served = Served::start(&fixture.dist(), &[]);
    let mut client = served.connect();
    client.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello");
    assert_eq!(client.response(false).text(), INDEX);
    client.send("GET /sub/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assert_eq!(client.response(false).text(), SUB_INDEX);
    // A body too large to skip, or of unknown length: answered, then closed.
    for request in [
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10000000\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n",
    ] {
        let mut client = served.connect();
        client.send(request);
        let response = client.response(false);
        assert_eq!(response.status, 200, "{request:?}: {response:?}");
        assert_eq!(response.header("connection"), Some("close"), "{request:?}");
        assert!(client.closed(), "{request:?}: still open");
    }
}

#[test]
fn a_query_string_is_ignored() {
    let fixture = Fixture::new("query");
    let served = Served::start(&fixture.dist(), &[]);
    for (path, body) in [
        ("/index.html?v=2", INDEX),
        ("/?pack=triage-101&facilitate=1", INDEX),
        ("/sub/?x=%2e%2e", SUB_INDEX),
        ("/index.html#fragment", INDEX),
    ] {
        let response = served.get(path);
        assert_eq!(response.status, 200, "{path}: {response:?}");
        assert_eq!(response.text(), body, "{path}");
    }
}

#[test]
fn a_folder_without_its_slash_redirects_to_it() {
    let fixture = Fixture::new("redirect");
    let served = Served::start(&fixture.dist(), &[]);
    for (path, location) in [
        ("/sub", "/sub/"),
        ("/sub?pack=triage-101", "/sub/?pack=triage-101"),
        ("/scenarios", "/scenarios/"),
    ] {
        let response = served.get(path);
        assert_eq!(response.status, 301, "{path}: {response:?}");
        assert_eq!(response.header("location"), Some(location), "{path}");
    }
    // A folder without an index.html has no listing.
    assert_eq!(served.get("/scenarios/").status, 404);
}

#[test]
fn an_etag_that_matches_is_answered_304() {
    let fixture = Fixture::new("etag");
    let served = Served::start(&fixture.dist(), &[]);
    let first = served.get("/index.html");
    let etag = first.header("etag").expect("an ETag").to_string();
    let mut client = served.connect();
    for if_none_match in [etag.clone(), format!("\"other\", W/{etag}"), "*".into()] {
        client.send(&format!(
            "GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: {if_none_match}\r\n\r\n"
        ));
        let response = client.response(false);
        assert_eq!(response.status, 304, "{if_none_match}: {response:?}");
        assert_eq!(response.header("etag"), Some(etag.as_str()));
        assert_eq!(response.header("cache-control"), Some("no-cache"));
    }
    client.send("GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: \"other\"\r\n\r\n");
    let changed = client.response(false);
    assert_eq!(changed.status, 200, "{changed:?}");
    assert_eq!(changed.text(), INDEX);
}

#[test]
fn malformed_requests_are_answered_and_closed() {
    let fixture = Fixture::new("malformed");
    let served = Served::start(&fixture.dist(), &[]);
    let huge_header = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {}\r\n\r\n",
        "a".repeat(20_000)
    );
    let cases: [(&str, &str, u16); 10] = [
        ("no version", "GET /\r\n\r\n", 400),
        ("one word", "GARBAGE\r\n\r\n", 400),
        ("two spaces", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (
            "a control byte",
            "GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n",
            400,
        ),
        ("no Host in 1.1", "GET / HTTP/1.1\r\n\r\n", 400),
        (
            "no colon",
            "GET / HTTP/1.1\r\nHost: x\r\nBad header\r\n\r\n",
            400,
        ),
        (
            "folded header",
            "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
            400,
        ),
        (
            "bad length",
            "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
            400,
        ),
        ("HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        ("head too large", &huge_header, 431),
    ];
    for (what, request, status) in cases {
        let mut client = served.connect();
        client.send(request);
        let response = client.response(false);
        assert_eq!(response.status, status, "{what}: {response:?}");
        assert_eq!(response.header("connection"), Some("close"), "{what}");
        assert!(client.closed(), "{what}: still open");
    }
}

#[test]
fn a_head_of_the_largest_size_is_served_and_one_byte_more_is_431() {
    let fixture = Fixture::new("head-size");
    let served = Served::start(&fixture.dist(), &[]);
    let head = |size: usize| {
        let start = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ";
        let end = "\r\nConnection: close\r\n\r\n";
        format!("{start}{}{end}", "p".repeat(size - start.len() - end.len()))
    };
    let largest = served.exchange(&head(MAX_HEAD_BYTES));
    assert_eq!(largest.status, 200, "{largest:?}");
    assert_eq!(largest.text(), INDEX);
    let too_large = served.exchange(&head(MAX_HEAD_BYTES + 1));
    assert_eq!(too_large.status, 431, "{too_large:?}");
}

#[test]
fn a_target_that_is_no_path_is_400_and_the_connection_goes_on() {
    let fixture = Fixture::new("bad-paths");
    let served = Served::start(&fixture.dist(), &[]);
    let mut client = served.connect();
    for (target, detail) in [
        ("index.html", "the target is not a path starting with /"),
        ("/%zz", "a % not followed by two hex digits"),
        ("/%ff%fe", "the decoded path is not UTF-8"),
        ("/a/%2e%2e/b", "a .. segment"),
        ("/a%00", "a NUL byte in the path"),
    ] {
        client.send(&format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n"));
        let response = client.response(false);
        assert_eq!(response.status, 400, "{target}: {response:?}");
        assert_eq!(response.text(), format!("400 Bad Request: {detail}\n"));
    }
    client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(client.response(false).text(), INDEX);
}

#[test]
fn beyond_the_connection_cap_a_503() {
    let fixture = Fixture::new("cap");
    let served = Served::start(&fixture.dist(), &[]);
    // Prove each connection is being served (so it holds its place) before
    // opening the next: one request on each, kept alive.
    let mut held: Vec<Client> = (0..MAX_CONNECTIONS)
        .map(|_| {
            let mut client = served.connect();
            client.send("HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assert_eq!(client.response(true).status, 200);
            client
        })
        .collect();
    let mut refused = served.connect();
    let response = refused.response(false);
    assert_eq!(response.status, 503, "{response:?}");
    assert_eq!(response.header("retry-after"), Some("1"));
    assert!(refused.closed());
    // The held connections still serve; once closed, their places free up.
    held[0].send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assert_eq!(held[0].response(false).text(), INDEX);
    held.clear();
    let deadline = Instant::now() + GENEROUS;
    loop {
        let response = served.get("/");
        if response.status == 200 {
            break;
        }
        assert_eq!(response.status, 503, "{response:?}");
        assert!(Instant::now() < deadline, "no place freed up");
        thread::sleep(Duration::from_millis(50));
    }
}

// ---- The banner --------------------------------------------------------------

#[test]
fn the_banner_names_the_folder_and_says_how_to_let_the_room_in() {
    let fixture = Fixture::new("banner");
    let served = Served::start(&fixture.dist(), &[]);
    let root = fs::canonicalize(fixture.dist()).expect("canonical");
    let expected = format!(
        "Serving {}\n  this machine:  http://127.0.0.1:{port}/\n  the room:      only this machine; add --lan to let others in the room open it\nStop with Ctrl+C.\n",
        root.display(),
        port = served.port
    );
    assert_eq!(served.banner, expected);
}

#[test]
fn with_lan_the_banner_gives_the_rooms_url_or_how_to_find_it() {
    let fixture = Fixture::new("lan");
    let served = Served::start(&fixture.dist(), &["--lan"]);
    let room = served
        .banner
        .lines()
        .find_map(|line| line.strip_prefix("  the room:      "))
        .unwrap_or_else(|| panic!("no room line in\n{}", served.banner));
    let port = served.port;
    assert!(
        (room.starts_with("http://")
            && room.ends_with(&format!(":{port}/"))
            && !room.contains("127.0.0.1"))
            || (room.starts_with("no network address found") && served.banner.contains("ip addr")),
        "{}",
        served.banner
    );
    // Listening on every interface includes this machine's loopback.
    assert_eq!(served.get("/").text(), INDEX);
}

#[test]
fn banner_cases() {
    let root = Path::new("/srv/dist");
    let cases: [(Room, &str); 4] = [
        (
            Room::ThisMachineOnly,
            "  the room:      only this machine; add --lan to let others in the room open it\n",
        ),
        (
            Room::At([10, 0, 0, 7].into()),
            "  the room:      http://10.0.0.7:8000/\n",
        ),
        (
            Room::At(Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 1).into()),
            "  the room:      http://[fd00::1]:8000/\n",
        ),
        (
            Room::NoAddressFound,
            "  the room:      no network address found: find this machine's with `ip addr` (or\n                 `ipconfig` on Windows) and open http://ADDRESS:8000/\n",
        ),
    ];
    for (room, line) in cases {
        let text = banner(root, 8000, room);
        assert_eq!(
            text,
            format!(
                "Serving /srv/dist\n  this machine:  http://127.0.0.1:8000/\n{line}Stop with Ctrl+C.\n"
            ),
            "{room:?}"
        );
    }
}

// ---- Refusals ----------------------------------------------------------------

#[test]
fn a_folder_it_cannot_serve_exits_1_saying_what_was_expected() {
    let fixture = Fixture::new("refusals");
    let missing = fixture.base.join("no-such-folder");
    let file = fixture.base.join("outside.txt");
    let no_index = fixture.dist().join("scenarios");
    let cases = [
        (&missing, "no such folder"),
        (&file, "not a folder"),
        (&no_index, "no index.html here"),
    ];
    for (dir, what) in cases {
        let dir = dir.to_str().expect("a UTF-8 temporary path");
        let (code, stderr) = run_to_exit(&["serve-app", dir, "--port", "0"]);
        assert_eq!(code, Some(1), "{dir}: {stderr}");
        assert_eq!(
            stderr.trim_end(),
            format!("error: {dir}: {what}: serve the release build (dist/) or an unzipped firedrill-<version> package"),
        );
    }
}

#[test]
fn a_port_in_use_exits_1() {
    let fixture = Fixture::new("port-in-use");
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let port = taken.local_addr().expect("its address").port().to_string();
    let dist = fixture.dist();
    let dir = dist.to_str().expect("a UTF-8 temporary path");
    let (code, stderr) = run_to_exit(&["serve-app", dir, "--port", &port]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!("error: port {port} is in use: choose another with --port")
    );
}

#[test]
fn bad_arguments_exit_2_with_usage() {
    let fixture = Fixture::new("arguments");
    let dist = fixture.dist();
    let dir = dist.to_str().expect("a UTF-8 temporary path");
    let cases: [(&[&str], &str); 7] = [
        (&["serve-app"], "serve-app needs DIR"),
        (&["serve-app", dir, dir], "serve-app serves one folder"),
        (
            &["serve-app", dir, "--port", "http"],
            "--port expects a port number",
        ),
        (
            &["serve-app", dir, "--port", "65536"],
            "--port expects a port number",
        ),
        (&["serve-app", dir, "--port"], "--port needs a value"),
        (&["serve-app", dir, "--lan=yes"], "--lan takes no value"),
        (&["serve-app", dir, "--json"], "unknown option --json"),
    ];
    for (args, message) in cases {
        let (code, stderr) = run_to_exit(args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with(&format!("error: {message}")),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("firedrill serve-app DIR [--port N] [--lan]"));
    }
}

// ---- The pure parts ------------------------------------------------------------

#[test]
fn content_types_by_extension() {
    let cases = [
        ("index.html", "text/html; charset=utf-8"),
        ("INDEX.HTM", "text/html; charset=utf-8"),
        (
            "firedrill-6081f9f4f628d424.js",
            "text/javascript; charset=utf-8",
        ),
        ("env/firedrill_env.mjs", "text/javascript; charset=utf-8"),
        ("app-b10b97469d8b3f1a.css", "text/css; charset=utf-8"),
        (WASM_NAME, "application/wasm"),
        ("firedrill_env.d.ts", "text/plain; charset=utf-8"),
        ("data.json", "application/json"),
        ("manifest.webmanifest", "application/manifest+json"),
        ("favicon-7c1a7933e657cc8b.svg", "image/svg+xml"),
        ("icon-192.png", "image/png"),
        ("favicon.ico", "image/x-icon"),
        ("shot.webp", "image/webp"),
        ("font.woff2", "font/woff2"),
        ("bad-deploy-v2.toml", "text/plain; charset=utf-8"),
        ("notes.txt", "text/plain; charset=utf-8"),
        ("README.md", "text/plain; charset=utf-8"),
        ("firedrill-0.1.0.zip", "application/zip"),
        ("LICENSE", "application/octet-stream"),
        ("archive.tar.gz", "application/octet-stream"),
    ];
    for (name, expected) in cases {
        assert_eq!(content_type(name), expected, "{name}");
    }
}

#[test]
fn hashed_names_are_immutable_and_the_rest_revalidated() {
    let cases = [
        ("firedrill-6081f9f4f628d424_bg.wasm", true),
        ("firedrill-6081f9f4f628d424.js", true),
        ("app-b10b97469d8b3f1a.css", true),
        ("loader-a2847c5bc55ef36e.js", true),
        ("favicon-7c1a7933e657cc8b.svg", true),
        ("index.html", false),
        ("sw.js", false),
        ("manifest.webmanifest", false),
        ("firedrill_env.js", false),
        ("firedrill_env_bg.wasm", false),
        ("bad-deploy-v2.toml", false),
        ("app-B10B97469D8B3F1A.css", false), // Trunk writes lowercase
        ("app-b10b97469d8b3f1.css", false),  // 15 digits
        ("app-b10b97469d8b3f1a0.css", false), // 17 digits
        ("app-b10b97469d8b3f1g.css", false), // not hex
        ("app-b10b97469d8b3f1a", false),     // no extension
        ("firedrill-0.1.0.zip", false),
    ];
    for (name, hashed) in cases {
        assert_eq!(is_content_hashed(name), hashed, "{name}");
        let expected = if hashed {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        assert_eq!(cache_control(name), expected, "{name}");
    }
}

#[test]
fn request_paths_are_decoded_and_kept_inside() {
    let ok: [(&str, &[&str], bool); 10] = [
        ("/", &[], true),
        ("/index.html", &["index.html"], false),
        ("/sub/", &["sub"], true),
        (
            "/scenarios/a%20b.toml?v=2",
            &["scenarios", "a b.toml"],
            false,
        ),
        ("/a/./b", &["a", "b"], false),
        ("//a//b/", &["a", "b"], true),
        ("/caf%C3%A9", &["café"], false),
        ("/a#frag", &["a"], false),
        ("/a?x=/../y", &["a"], false),
        ("http://127.0.0.1:8000/env/x.js", &["env", "x.js"], false),
    ];
    for (target, segments, folder) in ok {
        let path = request_path(target).unwrap_or_else(|e| panic!("{target}: {e}"));
        assert_eq!(path.segments, segments, "{target}");
        assert_eq!(path.folder, folder, "{target}");
    }
    let refused = [
        ("index.html", PathError::NotAPath),
        ("*", PathError::NotAPath),
        ("http://host", PathError::NotAPath),
        ("/a%", PathError::BadEscape),
        ("/a%2", PathError::BadEscape),
        ("/a%zz", PathError::BadEscape),
        ("/%ff", PathError::NotUtf8),
        ("/..", PathError::ParentSegment),
        ("/a/../b", PathError::ParentSegment),
        ("/%2e%2e/x", PathError::ParentSegment),
        ("/a/%2E%2E/%2e%2e/x", PathError::ParentSegment),
        ("/..%2fx", PathError::ParentSegment),
        ("/a%00", PathError::Nul),
        ("/a\\..\\b", PathError::Backslash),
        ("/a%5cb", PathError::Backslash),
    ];
    for (target, error) in refused {
        assert_eq!(request_path(target), Err(error), "{target}");
    }
}

#[test]
fn http_dates() {
    let cases = [
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
        (1_768_467_600, "Thu, 15 Jan 2026 09:00:00 GMT"),
        (4_102_444_799, "Thu, 31 Dec 2099 23:59:59 GMT"),
    ];
    for (seconds, expected) in cases {
        let time = UNIX_EPOCH + Duration::from_secs(seconds);
        assert_eq!(http_date(time), expected, "{seconds}");
    }
}
