//! `firedrill serve-app DIR`: serves the app's release build (a folder of
//! static files) over HTTP from this machine, so that a workshop runs in a
//! room without internet. Standard library only.
//!
//! What it supports: HTTP/1.1 (and 1.0) `GET` and `HEAD`, keep-alive
//! (idle connections close after [`IDLE_TIMEOUT`]), one thread per
//! connection and at most [`MAX_CONNECTIONS`] at once (beyond that a 503).
//! A folder answers with its `index.html` (no listings). Content types by
//! extension ([`content_type`]: `application/wasm` above all, which
//! browsers need to compile the app as it streams in). Caching that suits a
//! Trunk build ([`cache_control`]): a file whose name carries a content hash
//! is immutable, everything else is revalidated (`no-cache`, with an `ETag`
//! and `304 Not Modified`). Paths never leave the folder: `..` segments,
//! NUL and backslashes are refused ([`request_path`]) and a symlink that
//! leads out of it is not followed. Quiet: no line per request; only the
//! errors that matter reach stderr.
//!
//! ```
//! use firedrill::cli::serve::{cache_control, content_type};
//! let wasm = "firedrill-6081f9f4f628d424_bg.wasm";
//! assert_eq!(content_type(wasm), "application/wasm");
//! assert_eq!(cache_control(wasm), "public, max-age=31536000, immutable");
//! assert_eq!(cache_control("index.html"), "no-cache");
//! ```

use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The port served on without `--port`.
pub const DEFAULT_PORT: u16 = 8000;

/// Connections served at once; one more is answered 503 and closed.
pub const MAX_CONNECTIONS: usize = 128;

/// A connection that sends nothing for this long is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(15);

/// A write the client does not take for this long closes the connection.
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);

/// A request's head (request line and headers, with their line ends) is
/// at most this many bytes; a larger one is answered 431.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;

/// Header lines of a request, at most (beyond: 431).
const MAX_HEADERS: usize = 100;

/// A request body up to this size is read and ignored; a larger one (or one
/// of unknown length) closes the connection after the response.
const MAX_IGNORED_BODY_BYTES: u64 = 64 * 1024;

/// The `Cache-Control` of a file whose name carries a content hash.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The `Cache-Control` of every other file: revalidate before each use.
pub const REVALIDATE: &str = "no-cache";

/// What a folder to serve must be, said after each refusal.
const WHAT_TO_SERVE: &str =
    "serve the release build (dist/) or an unzipped firedrill-<version> package";

/// Why `serve-app` cannot start.
#[derive(Debug)]
pub enum ServeError {
    /// DIR does not exist.
    NoSuchFolder(PathBuf),
    /// DIR is a file, not a folder.
    NotAFolder(PathBuf),
    /// DIR has no `index.html`: not a build of the app.
    NoIndex(PathBuf),
    /// DIR cannot be read (permissions).
    Unreadable {
        /// The folder.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// Another program listens on the port.
    PortInUse(u16),
    /// Listening failed for another reason (a port below 1024 without
    /// privileges, an address the machine does not have).
    Bind {
        /// The address listened on.
        address: SocketAddr,
        /// What the system said.
        source: io::Error,
    },
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeError::NoSuchFolder(path) => {
                write!(f, "{}: no such folder: {WHAT_TO_SERVE}", path.display())
            }
            ServeError::NotAFolder(path) => {
                write!(f, "{}: not a folder: {WHAT_TO_SERVE}", path.display())
            }
            ServeError::NoIndex(path) => {
                write!(f, "{}: no index.html here: {WHAT_TO_SERVE}", path.display())
            }
            ServeError::Unreadable { path, source } => {
                write!(f, "{}: cannot read the folder: {source}", path.display())
            }
            ServeError::PortInUse(port) => {
                write!(f, "port {port} is in use: choose another with --port")
            }
            ServeError::Bind { address, source } => {
                write!(f, "cannot listen on {address}: {source}")?;
                if source.kind() == io::ErrorKind::PermissionDenied && address.port() < 1024 {
                    write!(
                        f,
                        ": ports below 1024 need administrator rights: choose another with --port"
                    )?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ServeError {}

/// What the banner says about the other machines of the room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Room {
    /// Served on 127.0.0.1 only (no `--lan`).
    ThisMachineOnly,
    /// Served on every interface; the room opens this machine's address.
    At(IpAddr),
    /// Served on every interface, but no network address was found.
    NoAddressFound,
}

/// A folder checked and a port listened on, not yet serving: print its
/// [`banner`](Server::banner), then [`run`](Server::run) it.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    root: PathBuf,
    port: u16,
    lan: bool,
}

impl Server {
    /// Checks that `dir` is a build of the app (a folder with an
    /// `index.html`) and listens on `port` (0: any free port) of 127.0.0.1,
    /// or of every interface (0.0.0.0) with `lan`.
    pub fn bind(dir: &Path, port: u16, lan: bool) -> Result<Server, ServeError> {
        let root = served_folder(dir)?;
        let ip = if lan {
            Ipv4Addr::UNSPECIFIED
        } else {
            Ipv4Addr::LOCALHOST
        };
        let address = SocketAddr::from((ip, port));
        let bind_error = |source: io::Error| match source.kind() {
            io::ErrorKind::AddrInUse => ServeError::PortInUse(port),
            _ => ServeError::Bind { address, source },
        };
        let listener = TcpListener::bind(address).map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();
        Ok(Server {
            listener,
            root,
            port,
            lan,
        })
    }

    /// The port listened on (the one chosen when 0 was asked for).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The folder served, canonical.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// What to print before serving: the folder and the URLs to open.
    pub fn banner(&self) -> String {
        let room = match (self.lan, room_address()) {
            (false, _) => Room::ThisMachineOnly,
            (true, Some(ip)) => Room::At(ip),
            (true, None) => Room::NoAddressFound,
        };
        banner(&self.root, self.port, room)
    }

    /// Serves until the process is stopped. A connection's errors (a client
    /// gone away) end that connection only; errors of the listener are
    /// written to stderr, once each until it recovers.
    pub fn run(self) -> ! {
        let root = Arc::new(self.root);
        let open = Arc::new(AtomicUsize::new(0));
        let mut warnings = Warnings::default();
        loop {
            let stream = match self.listener.accept() {
                Ok((stream, _)) => stream,
                Err(e) => {
                    if !matches!(
                        e.kind(),
                        io::ErrorKind::Interrupted
                            | io::ErrorKind::ConnectionAborted
                            | io::ErrorKind::ConnectionReset
                    ) {
                        warnings.warn(format!("cannot accept a connection: {e}"));
                        // Out of file descriptors, say: let connections close.
                        thread::sleep(Duration::from_millis(100));
                    }
                    continue;
                }
            };
            let Some(slot) = Slot::take(&open) else {
                refuse(&stream);
                continue;
            };
            let root = Arc::clone(&root);
            let spawned = thread::Builder::new()
                .name("serve-app connection".into())
                .spawn(move || {
                    let _slot = slot;
                    // A connection's errors end that connection, silently.
                    let _ = serve_connection(&stream, &root);
                });
            match spawned {
                Ok(_) => warnings.recovered(),
                Err(e) => warnings.warn(format!("cannot start a thread for a connection: {e}")),
            }
        }
    }
}

/// The listener's warnings on stderr: one repeated while it lasts is
/// written once.
#[derive(Default)]
struct Warnings {
    last: String,
}

impl Warnings {
    fn warn(&mut self, message: String) {
        if message != self.last {
            eprintln!("warning: {message}");
            self.last = message;
        }
    }

    /// A connection was handed over: the next warning is news again.
    fn recovered(&mut self) {
        self.last.clear();
    }
}

/// The canonical path of `dir` once it is known to be a folder with an
/// `index.html`.
fn served_folder(dir: &Path) -> Result<PathBuf, ServeError> {
    let unreadable = |source| ServeError::Unreadable {
        path: dir.to_path_buf(),
        source,
    };
    match fs::metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(ServeError::NoSuchFolder(dir.to_path_buf()))
        }
        Err(e) => return Err(unreadable(e)),
        Ok(meta) if !meta.is_dir() => return Err(ServeError::NotAFolder(dir.to_path_buf())),
        Ok(_) => {}
    }
    let root = fs::canonicalize(dir).map_err(unreadable)?;
    if !root.join("index.html").is_file() {
        return Err(ServeError::NoIndex(dir.to_path_buf()));
    }
    Ok(root)
}

/// This machine's address on the network of its default route, found by
/// connecting a UDP socket to a TEST-NET address (RFC 5737: no packet is
/// sent) and reading the local address chosen; `None` without a network.
pub fn room_address() -> Option<IpAddr> {
    let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
    socket.connect((Ipv4Addr::new(192, 0, 2, 1), 9)).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified() && !ip.is_loopback()).then_some(ip)
}

/// The banner: the folder served, the URL for this machine and what the
/// room opens, and how to stop.
///
/// ```
/// use firedrill::cli::serve::{banner, Room};
/// use std::path::Path;
/// let text = banner(Path::new("/srv/dist"), 8000, Room::At([192, 168, 1, 23].into()));
/// assert_eq!(
///     text,
///     "Serving /srv/dist\n  this machine:  http://127.0.0.1:8000/\n  the room:      http://192.168.1.23:8000/\nStop with Ctrl+C.\n"
/// );
/// ```
pub fn banner(root: &Path, port: u16, room: Room) -> String {
    let this_machine = url(Ipv4Addr::LOCALHOST.into(), port);
    let room = match room {
        Room::ThisMachineOnly => {
            "only this machine; add --lan to let others in the room open it".to_string()
        }
        Room::At(ip) => url(ip, port),
        Room::NoAddressFound => format!(
            "no network address found: find this machine's with `ip addr` (or\n                 `ipconfig` on Windows) and open http://ADDRESS:{port}/"
        ),
    };
    format!(
        "Serving {}\n  this machine:  {this_machine}\n  the room:      {room}\nStop with Ctrl+C.\n",
        root.display()
    )
}

/// `http://IP:PORT/`, an IPv6 address in brackets.
fn url(ip: IpAddr, port: u16) -> String {
    format!("http://{}/", SocketAddr::new(ip, port))
}

/// The `Content-Type` of a file, by its extension (case-insensitive);
/// `application/octet-stream` for one not known.
pub fn content_type(file_name: &str) -> &'static str {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "webp" => "image/webp",
        "woff2" => "font/woff2",
        "toml" | "txt" | "md" | "ts" => "text/plain; charset=utf-8",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Whether a file name carries a content hash as Trunk writes it:
/// `-` and 16 lowercase hex digits before the extension or an `_` suffix
/// (`app-b10b97469d8b3f1a.css`, `firedrill-6081f9f4f628d424_bg.wasm`).
pub fn is_content_hashed(file_name: &str) -> bool {
    let bytes = file_name.as_bytes();
    bytes.iter().enumerate().any(|(at, &b)| {
        b == b'-'
            && bytes
                .get(at + 17)
                .is_some_and(|&end| end == b'.' || end == b'_')
            && bytes[at + 1..at + 17]
                .iter()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
    })
}

/// The `Cache-Control` of a file: [`IMMUTABLE`] when its name carries a
/// content hash (a new build has new names), else [`REVALIDATE`]
/// (`index.html`, `sw.js`, the manifest, scenarios, `env/`).
pub fn cache_control(file_name: &str) -> &'static str {
    if is_content_hashed(file_name) {
        IMMUTABLE
    } else {
        REVALIDATE
    }
}

/// A request's path, decoded: its segments (no empty, `.` or `..` one) and
/// whether it ends with `/` (a folder).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestPath {
    /// The file names from the served folder down.
    pub segments: Vec<String>,
    /// Whether the path ends with `/`.
    pub folder: bool,
}

/// Why a request's target names no file of the folder (a 400).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathError {
    /// Neither `/path` nor `http://host/path`.
    NotAPath,
    /// A `%` not followed by two hex digits.
    BadEscape,
    /// The decoded path is not UTF-8.
    NotUtf8,
    /// A `..` segment (plain or escaped).
    ParentSegment,
    /// A NUL byte.
    Nul,
    /// A backslash.
    Backslash,
    /// A segment that is not a plain file name here (a drive on Windows).
    NotAFileName,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PathError::NotAPath => "the target is not a path starting with /",
            PathError::BadEscape => "a % not followed by two hex digits",
            PathError::NotUtf8 => "the decoded path is not UTF-8",
            PathError::ParentSegment => "a .. segment",
            PathError::Nul => "a NUL byte in the path",
            PathError::Backslash => "a backslash in the path",
            PathError::NotAFileName => "a segment that is not a file name",
        })
    }
}

impl std::error::Error for PathError {}

/// The path of a request target (`/a/b?q#f`, or `http://host/a/b`):
/// without the query and fragment, percent-decoded, split into segments.
///
/// ```
/// use firedrill::cli::serve::{request_path, PathError};
/// let path = request_path("/scenarios/a%20b.toml?v=2").unwrap();
/// assert_eq!(path.segments, ["scenarios", "a b.toml"]);
/// assert_eq!(request_path("/a/%2e%2e/%2e%2e/x"), Err(PathError::ParentSegment));
/// ```
pub fn request_path(target: &str) -> Result<RequestPath, PathError> {
    let path = raw_path(target)?;
    let decoded = String::from_utf8(percent_decode(path)?).map_err(|_| PathError::NotUtf8)?;
    if decoded.contains('\0') {
        return Err(PathError::Nul);
    }
    if decoded.contains('\\') {
        return Err(PathError::Backslash);
    }
    let mut segments = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Err(PathError::ParentSegment),
            name => {
                let mut components = Path::new(name).components();
                if !matches!(
                    (components.next(), components.next()),
                    (Some(Component::Normal(_)), None)
                ) {
                    return Err(PathError::NotAFileName);
                }
                segments.push(name.to_string());
            }
        }
    }
    Ok(RequestPath {
        segments,
        folder: decoded.ends_with('/'),
    })
}

/// The path part of a target, still escaped: from the first `/` (after the
/// authority of an absolute URL) to the query or fragment.
fn raw_path(target: &str) -> Result<&str, PathError> {
    let path = match target.strip_prefix("http://") {
        Some(rest) => &rest[rest.find('/').ok_or(PathError::NotAPath)?..],
        None if target.starts_with('/') => target,
        None => return Err(PathError::NotAPath),
    };
    let end = path.find(['?', '#']).unwrap_or(path.len());
    Ok(&path[..end])
}

fn percent_decode(text: &str) -> Result<Vec<u8>, PathError> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            let hex = bytes.get(at + 1..at + 3).ok_or(PathError::BadEscape)?;
            let hex = std::str::from_utf8(hex).map_err(|_| PathError::BadEscape)?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(PathError::BadEscape);
            }
            decoded.push(u8::from_str_radix(hex, 16).map_err(|_| PathError::BadEscape)?);
            at += 3;
        } else {
            decoded.push(bytes[at]);
            at += 1;
        }
    }
    Ok(decoded)
}

/// A time as HTTP writes it (IMF-fixdate, RFC 9110 §5.6.7).
///
/// ```
/// use firedrill::cli::serve::http_date;
/// use std::time::{Duration, UNIX_EPOCH};
/// let time = UNIX_EPOCH + Duration::from_secs(784_111_777);
/// assert_eq!(http_date(time), "Sun, 06 Nov 1994 08:49:37 GMT");
/// ```
pub fn http_date(time: SystemTime) -> String {
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = seconds / 86_400;
    let of_day = seconds % 86_400;
    // Days to a civil date (Howard Hinnant's algorithm), from 1970 on.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[(days % 7) as usize],
        MONTHS[(month - 1) as usize],
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// One of the connections served at once; dropping it frees its place.
struct Slot(Arc<AtomicUsize>);

impl Slot {
    fn take(open: &Arc<AtomicUsize>) -> Option<Slot> {
        open.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
            (n < MAX_CONNECTIONS).then_some(n + 1)
        })
        .ok()?;
        Some(Slot(Arc::clone(open)))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Answers a connection beyond [`MAX_CONNECTIONS`]: 503, then closed.
fn refuse(stream: &TcpStream) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let mut reply = Reply::text(
        Status::Unavailable,
        "too many connections: try again in a moment",
    );
    reply.headers.push(("Retry-After", "1".to_string()));
    let _ = write_reply(stream, reply, false, Connection::Close);
    let _ = stream.shutdown(Shutdown::Write);
}

/// The statuses the server answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Ok,
    MovedPermanently,
    NotModified,
    BadRequest,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    HeadersTooLarge,
    InternalError,
    Unavailable,
    VersionNotSupported,
}

impl Status {
    fn code(self) -> u16 {
        match self {
            Status::Ok => 200,
            Status::MovedPermanently => 301,
            Status::NotModified => 304,
            Status::BadRequest => 400,
            Status::Forbidden => 403,
            Status::NotFound => 404,
            Status::MethodNotAllowed => 405,
            Status::HeadersTooLarge => 431,
            Status::InternalError => 500,
            Status::Unavailable => 503,
            Status::VersionNotSupported => 505,
        }
    }

    fn reason(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::MovedPermanently => "Moved Permanently",
            Status::NotModified => "Not Modified",
            Status::BadRequest => "Bad Request",
            Status::Forbidden => "Forbidden",
            Status::NotFound => "Not Found",
            Status::MethodNotAllowed => "Method Not Allowed",
            Status::HeadersTooLarge => "Request Header Fields Too Large",
            Status::InternalError => "Internal Server Error",
            Status::Unavailable => "Service Unavailable",
            Status::VersionNotSupported => "HTTP Version Not Supported",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Version {
    Http10,
    Http11,
}

/// How a request's body is delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BodyLength {
    Bytes(u64),
    /// `Transfer-Encoding`: not read; the connection closes after the reply.
    Unknown,
}

/// A request's head, as far as serving files needs it.
#[derive(Debug)]
struct Request {
    method: String,
    target: String,
    version: Version,
    keep_alive: bool,
    body: BodyLength,
    if_none_match: Option<String>,
}

/// Why no request was read.
enum HeadError {
    /// The connection closed, timed out or failed: close it, say nothing.
    Gone,
    /// A malformed head: answer this status (with the detail), then close.
    Bad(Status, &'static str),
}

impl From<io::Error> for HeadError {
    fn from(_: io::Error) -> Self {
        HeadError::Gone
    }
}

/// Whether the connection stays open after a reply, and how it says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Connection {
    /// HTTP/1.1's default: no header.
    KeepAlive,
    /// HTTP/1.0 that asked for it: `Connection: keep-alive`.
    KeepAlive10,
    /// `Connection: close`, then closed.
    Close,
}

/// Serves the requests of one connection until it closes, idles out, asks
/// to close, or sends something the server cannot frame.
fn serve_connection(stream: &TcpStream, root: &Path) -> io::Result<()> {
    stream.set_read_timeout(Some(IDLE_TIMEOUT))?;
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(stream);
    loop {
        let request = match read_request(&mut reader) {
            Ok(request) => request,
            Err(HeadError::Gone) => return Ok(()),
            Err(HeadError::Bad(status, detail)) => {
                let reply = Reply::text(status, detail);
                write_reply(stream, reply, false, Connection::Close)?;
                close_gently(stream, &mut reader);
                return Ok(());
            }
        };
        let mut connection = match (request.keep_alive, request.version) {
            (false, _) => Connection::Close,
            (true, Version::Http11) => Connection::KeepAlive,
            (true, Version::Http10) => Connection::KeepAlive10,
        };
        let mut body_unread = false;
        match request.body {
            BodyLength::Bytes(0) => {}
            BodyLength::Bytes(length) if length <= MAX_IGNORED_BODY_BYTES => {
                let ignored = io::copy(&mut (&mut reader).take(length), &mut io::sink())?;
                if ignored < length {
                    return Ok(());
                }
            }
            _ => {
                connection = Connection::Close;
                body_unread = true;
            }
        }
        let reply = respond(&request, root);
        write_reply(stream, reply, request.method == "HEAD", connection)?;
        if body_unread {
            close_gently(stream, &mut reader);
        }
        if connection == Connection::Close {
            return Ok(());
        }
    }
}

/// Closes a connection whose client may still be sending (a head too
/// large, a body not read): stop writing, then read and drop a little of
/// what comes for a moment, so that the close does not reset the
/// connection before the client has read the reply.
fn close_gently(stream: &TcpStream, reader: &mut impl Read) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = io::copy(&mut reader.take(256 * 1024), &mut io::sink());
}

/// One line of the head, without its CRLF (or bare LF), counted against
/// `budget`.
fn read_line(reader: &mut impl BufRead, budget: &mut usize) -> Result<Vec<u8>, HeadError> {
    let mut line = Vec::new();
    let read = reader
        .by_ref()
        .take(*budget as u64)
        .read_until(b'\n', &mut line)?;
    if line.last() != Some(&b'\n') {
        return Err(if read == *budget {
            HeadError::Bad(Status::HeadersTooLarge, "the request head is too large")
        } else {
            HeadError::Gone
        });
    }
    *budget -= read;
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(line)
}

/// A token character (RFC 9110 §5.6.2): methods and header names.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn read_request(reader: &mut impl BufRead) -> Result<Request, HeadError> {
    let mut budget = MAX_HEAD_BYTES;
    // Empty lines before a request line are ignored (RFC 9112 §2.2).
    let line = loop {
        let line = read_line(reader, &mut budget)?;
        if !line.is_empty() {
            break line;
        }
    };
    const NOT_A_REQUEST_LINE: &str = "the request line is not METHOD /PATH HTTP/1.1";
    let bad = |detail| HeadError::Bad(Status::BadRequest, detail);
    let line = std::str::from_utf8(&line).map_err(|_| bad(NOT_A_REQUEST_LINE))?;
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad(NOT_A_REQUEST_LINE));
    };
    if method.is_empty()
        || !method.bytes().all(is_token_byte)
        || target.is_empty()
        || !target.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(bad(NOT_A_REQUEST_LINE));
    }
    let version = match version {
        "HTTP/1.1" => Version::Http11,
        "HTTP/1.0" => Version::Http10,
        other
            if other.len() == 8
                && other.starts_with("HTTP/")
                && other.as_bytes()[5].is_ascii_digit()
                && other.as_bytes()[6] == b'.'
                && other.as_bytes()[7].is_ascii_digit() =>
        {
            return Err(HeadError::Bad(
                Status::VersionNotSupported,
                "only HTTP/1.1 and HTTP/1.0 are served",
            ))
        }
        _ => return Err(bad(NOT_A_REQUEST_LINE)),
    };

    let mut close = false;
    let mut keep_alive = false;
    let mut content_length: Option<u64> = None;
    let mut chunked = false;
    let mut hosts = 0;
    let mut if_none_match = None;
    let mut headers = 0;
    loop {
        let line = read_line(reader, &mut budget)?;
        if line.is_empty() {
            break;
        }
        headers += 1;
        if headers > MAX_HEADERS {
            return Err(HeadError::Bad(
                Status::HeadersTooLarge,
                "too many header lines",
            ));
        }
        if line[0] == b' ' || line[0] == b'\t' {
            return Err(bad("a header line folded onto the next one"));
        }
        let colon = line
            .iter()
            .position(|&b| b == b':')
            .ok_or_else(|| bad("a header line without a colon"))?;
        let name = &line[..colon];
        if name.is_empty() || !name.iter().all(|&b| is_token_byte(b)) {
            return Err(bad("a header name that is not a token"));
        }
        let name = String::from_utf8_lossy(name).to_ascii_lowercase();
        let value = String::from_utf8_lossy(&line[colon + 1..]);
        let value = value.trim_matches([' ', '\t']);
        match name.as_str() {
            "connection" => {
                for option in value.split(',').map(str::trim) {
                    close |= option.eq_ignore_ascii_case("close");
                    keep_alive |= option.eq_ignore_ascii_case("keep-alive");
                }
            }
            "content-length" => {
                let length = value
                    .parse::<u64>()
                    .ok()
                    .filter(|_| value.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(|| bad("a Content-Length that is not a number"))?;
                if content_length.is_some_and(|known| known != length) {
                    return Err(bad("two different Content-Length headers"));
                }
                content_length = Some(length);
            }
            "transfer-encoding" => chunked = true,
            "host" => hosts += 1,
            "if-none-match" => if_none_match = Some(value.to_string()),
            _ => {}
        }
    }
    if version == Version::Http11 && hosts != 1 {
        return Err(bad("an HTTP/1.1 request needs one Host header"));
    }
    Ok(Request {
        method: method.to_string(),
        target: target.to_string(),
        version,
        keep_alive: !close && (version == Version::Http11 || keep_alive),
        body: if chunked {
            BodyLength::Unknown
        } else {
            BodyLength::Bytes(content_length.unwrap_or(0))
        },
        if_none_match,
    })
}

/// What a request is answered with.
struct Reply {
    status: Status,
    headers: Vec<(&'static str, String)>,
    body: Body,
}

enum Body {
    /// A short text (errors, redirects).
    Text(String),
    /// A file, `length` bytes of it.
    File { file: File, length: u64 },
    /// Nothing, not even a `Content-Length` (304).
    None,
}

impl Reply {
    /// A status with a one-line text body: the status, and the detail.
    fn text(status: Status, detail: &str) -> Reply {
        let mut text = format!("{} {}", status.code(), status.reason());
        if !detail.is_empty() {
            text.push_str(": ");
            text.push_str(detail);
        }
        text.push('\n');
        Reply {
            status,
            headers: vec![("Content-Type", "text/plain; charset=utf-8".to_string())],
            body: Body::Text(text),
        }
    }
}

/// The reply to a well-formed request.
fn respond(request: &Request, root: &Path) -> Reply {
    if request.method != "GET" && request.method != "HEAD" {
        let mut reply = Reply::text(Status::MethodNotAllowed, "this server only reads files");
        reply.headers.push(("Allow", "GET, HEAD".to_string()));
        return reply;
    }
    let path = match request_path(&request.target) {
        Ok(path) => path,
        Err(e) => return Reply::text(Status::BadRequest, &e.to_string()),
    };
    let file = match resolve(root, &path) {
        Resolved::File(file) => file,
        Resolved::Folder => {
            // `/sub` → `/sub/`, so that the page's relative URLs resolve in it.
            let target = &request.target;
            let without_fragment = target.split('#').next().unwrap_or_default();
            let query = without_fragment
                .find('?')
                .map_or("", |at| &without_fragment[at..]);
            let path = raw_path(target).unwrap_or("/");
            let mut reply = Reply::text(Status::MovedPermanently, "");
            reply.headers.push(("Location", format!("{path}/{query}")));
            return reply;
        }
        Resolved::Refused(status) => return Reply::text(status, ""),
    };
    open_file(&file, request.if_none_match.as_deref())
}

/// Where a request path leads inside the served folder.
enum Resolved {
    /// A file (canonical, inside the folder).
    File(PathBuf),
    /// A folder named without its trailing `/`.
    Folder,
    /// 404 (missing, or outside the folder) or 403.
    Refused(Status),
}

fn resolve(root: &Path, path: &RequestPath) -> Resolved {
    let mut candidate = root.to_path_buf();
    candidate.extend(&path.segments);
    let real = match inside(root, &candidate) {
        Ok(real) => real,
        Err(status) => return Resolved::Refused(status),
    };
    if real.is_dir() {
        if !path.folder && !path.segments.is_empty() {
            return Resolved::Folder;
        }
        return match inside(root, &real.join("index.html")) {
            Ok(index) if index.is_file() => Resolved::File(index),
            Ok(_) => Resolved::Refused(Status::NotFound),
            Err(status) => Resolved::Refused(status),
        };
    }
    if path.folder {
        return Resolved::Refused(Status::NotFound);
    }
    Resolved::File(real)
}

/// The canonical path of `candidate` if it exists inside `root` (after
/// symlinks); 404 if not (403 if the system refuses to look).
fn inside(root: &Path, candidate: &Path) -> Result<PathBuf, Status> {
    match fs::canonicalize(candidate) {
        Ok(real) if real.starts_with(root) => Ok(real),
        Ok(_) => Err(Status::NotFound),
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Err(Status::Forbidden),
        Err(_) => Err(Status::NotFound),
    }
}

/// A file's reply: 200 with its content (the body is left out for HEAD
/// later), or 304 when the client's copy is current.
fn open_file(path: &Path, if_none_match: Option<&str>) -> Reply {
    let cannot_read = |e: io::Error| {
        if e.kind() == io::ErrorKind::PermissionDenied {
            Reply::text(Status::Forbidden, "")
        } else {
            eprintln!("warning: {}: cannot read: {e}", path.display());
            Reply::text(Status::InternalError, "")
        }
    };
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) => return cannot_read(e),
    };
    let meta = match file.metadata() {
        Ok(meta) => meta,
        Err(e) => return cannot_read(e),
    };
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy())
        .unwrap_or_default();
    let mut headers = vec![("Cache-Control", cache_control(&name).to_string())];
    if let Some(modified) = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
    {
        let etag = format!("\"{:x}-{:x}\"", meta.len(), modified.as_nanos());
        let current = if_none_match.is_some_and(|tags| {
            tags.split(',')
                .map(str::trim)
                .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
        });
        headers.push(("ETag", etag));
        if current {
            return Reply {
                status: Status::NotModified,
                headers,
                body: Body::None,
            };
        }
    }
    headers.insert(0, ("Content-Type", content_type(&name).to_string()));
    Reply {
        status: Status::Ok,
        headers,
        body: Body::File {
            length: meta.len(),
            file,
        },
    }
}

/// Writes a reply (its head only for HEAD); fails if the client goes away
/// or the file shrinks while it is sent.
fn write_reply(
    stream: &TcpStream,
    reply: Reply,
    head_only: bool,
    connection: Connection,
) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(64 * 1024, stream);
    write!(
        out,
        "HTTP/1.1 {} {}\r\nDate: {}\r\nServer: firedrill\r\nX-Content-Type-Options: nosniff\r\n",
        reply.status.code(),
        reply.status.reason(),
        http_date(SystemTime::now())
    )?;
    for (name, value) in &reply.headers {
        write!(out, "{name}: {value}\r\n")?;
    }
    match &reply.body {
        Body::Text(text) => write!(out, "Content-Length: {}\r\n", text.len())?,
        Body::File { length, .. } => write!(out, "Content-Length: {length}\r\n")?,
        Body::None => {}
    }
    match connection {
        Connection::KeepAlive => {}
        Connection::KeepAlive10 => out.write_all(b"Connection: keep-alive\r\n")?,
        Connection::Close => out.write_all(b"Connection: close\r\n")?,
    }
    out.write_all(b"\r\n")?;
    if !head_only {
        match reply.body {
            Body::Text(text) => out.write_all(text.as_bytes())?,
            Body::File { file, length } => {
                let sent = io::copy(&mut file.take(length), &mut out)?;
                if sent < length {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the file shrank while it was sent",
                    ));
                }
            }
            Body::None => {}
        }
    }
    out.flush()
}
