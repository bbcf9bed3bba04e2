//! The shared taxonomy of causes: every fault type a scenario may have,
//! plus `other`. A diagnosis names one of them (by id), optionally with
//! free text; free text alone is matched against the cause's keywords and
//! the scenario's own, with negation handled ("CPU, not the connection
//! pool" does not name the connection pool).
//!
//! ```
//! use firedrill::scenario::causes::{cause, mentions, CAUSES};
//! assert!(cause("memory_leak").is_some());
//! assert_eq!(CAUSES.last().map(|c| c.id), Some("other"));
//! assert!(mentions("recommendations is leaking memory", cause("memory_leak").unwrap().keywords));
//! assert!(!mentions("CPU saturated, not a memory leak", &["memory leak"]));
//! ```

use serde::Serialize;

/// One cause category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Cause {
    /// The id a diagnosis sends in `root_cause` and a scenario's `fault.cause` holds.
    pub id: &'static str,
    /// Its name, as a list shows it.
    pub name: &'static str,
    /// What it is, in one sentence.
    pub description: &'static str,
    /// Phrases that name it in free text (specific: none is on [`GENERAL_WORDS`]).
    #[serde(skip)]
    pub keywords: &'static [&'static str],
}

/// The id of the catch-all category.
pub const OTHER: &str = "other";

/// The id of a false alarm: nothing is broken, and no fix is right.
pub const FALSE_ALARM: &str = "false_alarm";

/// Every cause category, sorted by id, `other` last.
pub const CAUSES: &[Cause] = &[
    Cause {
        id: "autoscaler_failure",
        name: "Autoscaler failure",
        description: "The autoscaler does not add capacity when load grows (a broken metric source, a max set too low, a stuck controller).",
        keywords: &["autoscaler", "autoscaling", "hpa", "horizontal pod autoscaler", "did not scale out", "not scaling out", "scale-out failed", "max replicas"],
    },
    Cause {
        id: "bad_config_push",
        name: "Bad configuration push",
        description: "A configuration change (not a code deploy) rolled out with a wrong value.",
        keywords: &["config push", "bad config", "configuration change", "config change", "misconfigured config", "bad configuration", "wrong config", "config rollout"],
    },
    Cause {
        id: "bad_deploy",
        name: "Bad deploy",
        description: "A new version of a service shipped a regression.",
        keywords: &["bad deploy", "bad release", "deploy regression", "new release", "new version", "bad version", "recent deploy", "faulty deploy", "buggy release", "regression in the release"],
    },
    Cause {
        id: "bad_schema_migration",
        name: "Bad schema migration",
        description: "A database schema migration locks, rewrites or breaks a table the application needs.",
        keywords: &["schema migration", "bad migration", "migration locked", "alter table", "migration script", "schema change", "dropped column", "missing column"],
    },
    Cause {
        id: "bad_upstream_data",
        name: "Bad upstream data",
        description: "An upstream source delivers wrong data: requests succeed, but the numbers or content are wrong.",
        keywords: &["bad data", "bad upstream data", "corrupt data", "wrong data", "bad feed", "malformed feed", "stale feed", "data quality", "wrong prices", "bad import"],
    },
    Cause {
        id: "batch_job_storm",
        name: "Batch or cron storm",
        description: "Scheduled jobs start at once (or a batch runs at peak) and starve the online traffic of a shared resource.",
        keywords: &["cron", "cron job", "batch job", "batch storm", "scheduled job", "nightly job", "backfill", "reindex job", "report job"],
    },
    Cause {
        id: "burst_credit_exhaustion",
        name: "Burst credits exhausted",
        description: "A volume or instance spends its burst credits and falls back to its much lower baseline performance.",
        keywords: &["burst credits", "burst balance", "credit balance", "iops credits", "cpu credits", "baseline iops", "burstable", "gp2"],
    },
    Cause {
        id: "ca_rotation",
        name: "Internal CA rotation",
        description: "An internal certificate authority was rotated and some services do not trust the new one, so mutual TLS fails between some pairs.",
        keywords: &["ca rotation", "certificate authority", "rotated ca", "new ca", "trust bundle", "ca bundle", "mtls", "mutual tls", "unknown authority"],
    },
    Cause {
        id: "cache_stampede",
        name: "Cache stampede",
        description: "Many cache entries expire or are missed at once and every request falls through to the backing store.",
        keywords: &["cache stampede", "thundering herd", "dogpile", "cache expired", "cache entries expired", "mass cache miss", "cache misses"],
    },
    Cause {
        id: "capacity_regression",
        name: "Capacity regression",
        description: "A change made each request more expensive; it shows only when traffic reaches its daily peak.",
        keywords: &["capacity regression", "more expensive per request", "peak traffic", "at peak", "per-request cost", "capacity planning", "headroom"],
    },
    Cause {
        id: "cdn_outage",
        name: "CDN edge outage",
        description: "The content delivery network fails or misroutes at its edge, so users in some regions cannot load assets.",
        keywords: &["cdn", "edge outage", "edge nodes", "edge location", "points of presence", "pop outage", "cache edge", "content delivery"],
    },
    Cause {
        id: "circuit_breaker_stuck_open",
        name: "Circuit breaker stuck open",
        description: "A circuit breaker opened during a blip and never closes again, so calls fail fast though the dependency is healthy.",
        keywords: &["circuit breaker", "breaker open", "breaker stuck", "circuit open", "open circuit", "half-open", "breaker never closes"],
    },
    Cause {
        id: "client_bug",
        name: "Client bug",
        description: "A released mobile or web client sends bad requests; the server cannot roll it back, only guard against it.",
        keywords: &["client bug", "app bug", "mobile app", "app release", "client release", "app version", "ios app", "android app", "client-side bug", "app update"],
    },
    Cause {
        id: "clock_skew",
        name: "Clock skew",
        description: "A host's clock drifts from true time, so time-based checks (tokens, signatures, ordering) fail.",
        keywords: &["clock skew", "clock drift", "clocks drifting", "clock is off", "time sync", "time synchronization", "time synchronisation", "ntp", "chrony", "chronyd"],
    },
    Cause {
        id: "connection_pool_exhaustion",
        name: "Connection pool exhaustion",
        description: "Every connection of a pool is in use, so new requests wait for one and time out.",
        keywords: &["connection pool", "pool exhausted", "pool exhaustion", "exhausted pool", "out of connections", "too many connections", "max connections", "no free connections"],
    },
    Cause {
        id: "consumer_rebalance_storm",
        name: "Consumer rebalance storm",
        description: "A consumer group keeps rebalancing (members time out and rejoin), so partitions are never consumed for long.",
        keywords: &["rebalance", "rebalancing", "rebalance storm", "consumer group", "session timeout", "group coordinator", "partitions revoked", "max poll interval"],
    },
    Cause {
        id: "control_plane_outage",
        name: "Control plane outage",
        description: "The orchestration or cloud control plane is down: running workloads keep serving, but nothing can be deployed, scaled or restarted.",
        keywords: &["control plane", "api server", "apiserver", "kube-apiserver", "etcd", "cannot schedule", "scheduler down", "cloud api"],
    },
    Cause {
        id: "cpu_throttling",
        name: "CPU throttling",
        description: "A container hits its CPU quota (or a noisy neighbour takes the node) and is throttled.",
        keywords: &["cpu throttling", "cpu throttled", "throttled cpu", "noisy neighbour", "noisy neighbor", "cfs quota", "cpu quota", "cpu starvation"],
    },
    Cause {
        id: "credential_stuffing",
        name: "Credential stuffing",
        description: "Attackers replay leaked username and password lists against the login, loading it with failed logins.",
        keywords: &["credential stuffing", "account takeover", "leaked passwords", "brute force", "bot traffic", "botnet", "login attack", "failed logins"],
    },
    Cause {
        id: "deadlock",
        name: "Deadlock",
        description: "Threads or transactions wait on each other forever: the process stays up and answers health checks but does no work.",
        keywords: &["deadlock", "deadlocked", "lock ordering", "threads blocked", "blocked threads", "waiting on each other", "hung threads", "thread dump"],
    },
    Cause {
        id: "disk_full",
        name: "Disk full",
        description: "A volume has no space left, so writes fail.",
        keywords: &["disk full", "disk is full", "full disk", "no space left", "out of disk", "out of space", "enospc", "volume full", "volume is full", "disk space"],
    },
    Cause {
        id: "dns_failure",
        name: "DNS failure",
        description: "Name resolution fails or returns wrong answers, so services cannot find each other.",
        keywords: &["dns", "name resolution", "servfail", "nxdomain", "no such host", "resolver", "coredns"],
    },
    Cause {
        id: "expired_credentials",
        name: "Expired credentials",
        description: "A password, API key or token a service uses expired or was rotated without the service picking up the new one.",
        keywords: &["expired credentials", "credentials expired", "expired password", "password expired", "expired api key", "api key expired", "expired token", "token expired", "rotated secret", "secret rotation", "invalid credentials", "authentication failed"],
    },
    Cause {
        id: "expired_tls_certificate",
        name: "Expired TLS certificate",
        description: "A certificate passed its expiry date, so TLS handshakes fail.",
        keywords: &["expired certificate", "certificate expired", "cert expired", "expired cert", "certificate has expired", "tls certificate", "x509", "certificate expiry"],
    },
    Cause {
        id: "false_alarm",
        name: "False alarm",
        description: "An alert fired without user impact: a noisy or wrong rule, a test, a planned change. The right response is to confirm and not to fix.",
        keywords: &["false alarm", "false positive", "spurious alert", "noisy alert", "alert is wrong", "alert misfired", "planned maintenance", "expected behaviour", "expected behavior", "working as intended"],
    },
    Cause {
        id: "fd_exhaustion",
        name: "File descriptor or port exhaustion",
        description: "A process runs out of file descriptors or ephemeral ports, so new sockets and files cannot be opened.",
        keywords: &["file descriptors", "too many open files", "emfile", "fd limit", "ulimit", "ephemeral ports", "port exhaustion", "cannot assign requested address", "time_wait", "eaddrnotavail"],
    },
    Cause {
        id: "feature_flag_misconfiguration",
        name: "Feature flag misconfiguration",
        description: "A feature flag was turned on (or targeted) wrongly and enabled broken or unready code.",
        keywords: &["feature flag", "flag flip", "flag flipped", "flag enabled", "flag rollout", "toggle", "feature toggle", "kill switch", "launchdarkly"],
    },
    Cause {
        id: "gc_pauses",
        name: "Garbage collection pauses",
        description: "Long stop-the-world garbage collection pauses stall a process for seconds at a time.",
        keywords: &["gc pause", "gc pauses", "garbage collection", "stop-the-world", "stop the world", "full gc", "gc storm", "collector pauses"],
    },
    Cause {
        id: "hot_partition",
        name: "Hot partition",
        description: "One partition, shard or key takes a disproportionate share of the load and saturates.",
        keywords: &["hot partition", "hot shard", "hot key", "partition skew", "skewed partition", "hotspot", "hot spot", "single partition", "one partition"],
    },
    Cause {
        id: "integer_overflow",
        name: "Integer or sequence overflow",
        description: "A counter, id sequence or integer column reached its maximum, so inserts or calculations fail.",
        keywords: &["integer overflow", "int overflow", "counter overflow", "id overflow", "sequence exhausted", "max int", "int32", "2147483647", "out of range for type integer", "id space", "sequence overflow"],
    },
    Cause {
        id: "load_balancer_misconfiguration",
        name: "Load balancer misconfiguration",
        description: "A load balancer sends traffic to too few or the wrong backends.",
        keywords: &["load balancer", "load-balancer", "load balancing", "backend pool", "lb config", "lb policy", "out of rotation"],
    },
    Cause {
        id: "lock_contention",
        name: "Database lock contention",
        description: "Transactions wait on row or table locks held by others, so queries queue up behind them.",
        keywords: &["lock contention", "lock wait", "lock waits", "row lock", "table lock", "locks held", "blocking query", "long transaction", "lock timeout"],
    },
    Cause {
        id: "memory_leak",
        name: "Memory leak",
        description: "A process keeps memory it no longer needs until it is OOM-killed.",
        keywords: &["memory leak", "leaking memory", "leaks memory", "leak memory", "memory leaking", "oom", "oomkilled", "oom killed", "out of memory", "memory growth", "heap growth"],
    },
    Cause {
        id: "monitoring_blind_spot",
        name: "Monitoring blind spot",
        description: "The monitoring itself fails (an exporter down, a series gone), so users hurt while dashboards look green.",
        keywords: &["blind spot", "monitoring gap", "missing metrics", "metrics missing", "no data", "exporter down", "scrape failing", "absent series", "stale panels", "dashboards green"],
    },
    Cause {
        id: "network_partition",
        name: "Network partition",
        description: "Part of the network cannot reach another part (a zone, a link, a firewall rule).",
        keywords: &["network partition", "partitioned network", "packet loss", "network split", "split brain", "zones cannot reach", "inter-zone link", "firewall rule"],
    },
    Cause {
        id: "probe_misconfiguration",
        name: "Health probe misconfiguration",
        description: "A liveness or readiness probe is set wrong, so healthy pods are killed or taken out of service.",
        keywords: &["liveness probe", "readiness probe", "health probe", "probe timeout", "probe misconfigured", "probe failing", "killed by liveness", "crashloop"],
    },
    Cause {
        id: "quota_exhaustion",
        name: "Cloud quota exhaustion",
        description: "An account or project quota (instances, IPs, API calls) is reached, so new resources or calls are refused.",
        keywords: &["quota exceeded", "quota exhausted", "quota exhaustion", "quota reached", "out of quota", "account quota", "project quota", "instance quota", "resource quota", "api quota", "insufficient quota", "service limit"],
    },
    Cause {
        id: "rate_limiter_misconfiguration",
        name: "Rate limiter misconfiguration",
        description: "A rate limit is set too low or keyed wrongly, so legitimate requests are refused.",
        keywords: &["rate limit", "rate limiter", "rate limiting", "ratelimit", "rate limited", "too many requests", "429"],
    },
    Cause {
        id: "replication_lag",
        name: "Replication lag",
        description: "A replica falls behind its primary, so reads return stale data.",
        keywords: &["replication lag", "replica lag", "replication delay", "lagging replica", "replica is behind", "replica behind", "stale replica", "stale reads"],
    },
    Cause {
        id: "retry_storm",
        name: "Retry storm",
        description: "Clients retry failed calls without backoff and multiply the load on a struggling service.",
        keywords: &["retry storm", "retries without backoff", "no backoff", "retry amplification", "layered retries", "retry budget", "excessive retries"],
    },
    Cause {
        id: "slow_third_party",
        name: "Slow third party",
        description: "An external provider outside the team's control is slow or failing.",
        keywords: &["third party", "third-party", "slow vendor", "vendor is slow", "external provider", "slow provider", "provider is slow", "external api", "upstream provider"],
    },
    Cause {
        id: "stuck_queue_consumer",
        name: "Stuck queue consumer",
        description: "A queue's consumer stops making progress (a poison message, a hung call), so the queue backs up.",
        keywords: &["stuck queue consumer", "stuck consumer", "consumer stuck", "consumer is stuck", "hung consumer", "poison message", "consumer lag", "consumer not committing", "queue backlog"],
    },
    Cause {
        id: "zone_outage",
        name: "Zone outage",
        description: "One availability zone or data centre fails; everything running there goes dark.",
        keywords: &["zone outage", "availability zone", "az outage", "zone is down", "zone down", "data centre", "data center", "one zone", "zonal"],
    },
    Cause {
        id: OTHER,
        name: "Other",
        description: "None of the above; say what in the free text.",
        keywords: &[],
    },
];

/// Words too general to name a cause on their own: a scenario keyword
/// that is one of them would accept wrong diagnoses (`firedrill check
/// --strict` refuses it).
pub const GENERAL_WORDS: &[&str] = &[
    "cache",
    "config",
    "configuration",
    "connection",
    "connections",
    "cpu",
    "database",
    "db",
    "deploy",
    "deployment",
    "disk",
    "down",
    "error",
    "errors",
    "expired",
    "failure",
    "issue",
    "lag",
    "latency",
    "leak",
    "load",
    "memory",
    "misconfiguration",
    "misconfigured",
    "network",
    "outage",
    "partition",
    "pool",
    "problem",
    "queue",
    "release",
    "retries",
    "retry",
    "rollback",
    "skew",
    "slow",
    "stuck",
    "timeout",
    "timeouts",
    "tls",
    "traffic",
    "zone",
];

/// The cause category with this id.
pub fn cause(id: &str) -> Option<&'static Cause> {
    CAUSES.iter().find(|c| c.id == id)
}

/// Lower case, every run of non-alphanumeric characters one space, trimmed.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = true;
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
            last_space = false;
        } else if !last_space {
            out.push(' ');
            last_space = true;
        }
    }
    out.trim_end().to_string()
}

/// Whether `text` contains any of `phrases` as whole words, case- and
/// punctuation-insensitive, negated or not.
pub fn contains_any<S: AsRef<str>>(text: &str, phrases: &[S]) -> bool {
    let text = format!(" {} ", normalize(text));
    phrases.iter().any(|phrase| {
        let phrase = normalize(phrase.as_ref());
        !phrase.is_empty() && text.contains(&format!(" {phrase} "))
    })
}

/// Words that, earlier in the same clause, negate what follows.
const NEGATIONS: &[&str] = &[
    "not",
    "no",
    "isn",
    "isnt",
    "wasn",
    "wasnt",
    "aren",
    "arent",
    "never",
    "without",
    "excluding",
    "except",
    "unlikely",
    "rather",
    "instead",
    "ruled",
    "nor",
];

/// Words that end a clause (besides punctuation).
const CLAUSE_BREAKS: &[&str] = &["but", "however", "although", "though", "whereas", "yet"];

/// Whether `text` names one of `phrases` in a clause that does not negate
/// it. Clauses end at punctuation and at "but", "however", …; a negation
/// ("not", "no", "isn't", "ruled out", "rather than", …) anywhere in the
/// clause before the phrase cancels it. Matching is on whole words,
/// case-insensitive.
pub fn mentions<S: AsRef<str>>(text: &str, phrases: &[S]) -> bool {
    Reading::new(text).mentions(&phrase_words(phrases))
}

/// Phrases as the lists of normalized words [`Reading::mentions`] compares.
fn phrase_words<S: AsRef<str>>(phrases: &[S]) -> Vec<Vec<String>> {
    phrases
        .iter()
        .map(|p| {
            normalize(p.as_ref())
                .split(' ')
                .map(str::to_string)
                .collect()
        })
        .filter(|words: &Vec<String>| words.iter().any(|w| !w.is_empty()))
        .collect()
}

/// Each cause's keywords as word lists, made once.
fn cause_phrases() -> &'static [Vec<Vec<String>>] {
    static PHRASES: std::sync::OnceLock<Vec<Vec<Vec<String>>>> = std::sync::OnceLock::new();
    PHRASES.get_or_init(|| CAUSES.iter().map(|c| phrase_words(c.keywords)).collect())
}

/// A text read once, as the word lists of its clauses, to be asked about
/// many phrases (a log line against every cause of the taxonomy).
pub struct Reading {
    clauses: Vec<Vec<String>>,
}

impl Reading {
    /// Reads `text`.
    pub fn new(text: &str) -> Reading {
        Reading {
            clauses: clauses(text)
                .iter()
                .map(|c| {
                    c.split(' ')
                        .filter(|w| !w.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .collect(),
        }
    }

    /// Whether the text names one of `phrases` (word lists) in a clause
    /// that does not negate it ([`mentions`]).
    fn mentions(&self, phrases: &[Vec<String>]) -> bool {
        self.clauses.iter().any(|words| {
            (0..words.len()).any(|start| {
                phrases.iter().any(|phrase| {
                    words.len() >= start + phrase.len()
                        && phrase.iter().zip(&words[start..]).all(|(p, w)| p == w)
                        && !words[..start]
                            .iter()
                            .any(|w| NEGATIONS.contains(&w.as_str()))
                        && !ruled_out_after(&words[start + phrase.len()..])
                })
            })
        })
    }

    /// Whether the text names the cause at `index` of [`CAUSES`] by one of its keywords.
    pub fn names_cause(&self, index: usize) -> bool {
        cause_phrases()
            .get(index)
            .is_some_and(|phrases| self.mentions(phrases))
    }
}

/// "… is fine", "… was ruled out", "… looks ok" after a phrase negate it.
fn ruled_out_after<W: AsRef<str>>(rest: &[W]) -> bool {
    let rest: Vec<&str> = rest
        .iter()
        .map(AsRef::as_ref)
        .filter(|w| {
            !matches!(
                *w,
                "is" | "was" | "are" | "were" | "looks" | "seems" | "been" | "has" | "s"
            )
        })
        .take(2)
        .collect();
    matches!(
        rest.as_slice(),
        ["fine", ..]
            | ["ok", ..]
            | ["okay", ..]
            | ["healthy", ..]
            | ["ruled", "out"]
            | ["not", ..]
            | ["unrelated", ..]
            | ["innocent", ..]
    )
}

/// The text split into normalized clauses (lists of lower-case words).
/// `text` cut at sentence punctuation: `;`, `!`, `?`, a new line and
/// brackets always; `.`, `,` and `:` only before a space or the end, so
/// that `8.14.0`, `1,000` and `max.poll.interval` stay whole.
fn split_sentences(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next_is_break = chars.peek().is_none_or(|(_, n)| n.is_whitespace());
        let breaks = matches!(c, ';' | '!' | '?' | '\n' | '(' | ')')
            || (matches!(c, '.' | ',' | ':') && next_is_break);
        if breaks {
            parts.push(&text[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&text[start..]);
    parts
}

/// Whether a keyword can match at all: one without sentence punctuation
/// inside it (a clause never spans `tls: bad`).
pub fn matchable(keyword: &str) -> bool {
    split_sentences(keyword.trim())
        .iter()
        .filter(|p| !p.trim().is_empty())
        .count()
        <= 1
}

fn clauses(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in split_sentences(text) {
        let mut clause: Vec<&str> = Vec::new();
        let normalized = normalize(part);
        for word in normalized.split(' ') {
            if CLAUSE_BREAKS.contains(&word) {
                out.push(clause.join(" "));
                clause.clear();
            } else {
                clause.push(word);
            }
        }
        out.push(clause.join(" "));
    }
    out.retain(|c| !c.is_empty());
    out
}

/// The cause a free-text diagnosis names: the first category (in
/// [`CAUSES`] order) whose keywords it mentions. Used by the heuristic
/// agent and by the app to suggest a category.
pub fn cause_in_text(text: &str) -> Option<&'static Cause> {
    let reading = Reading::new(text);
    CAUSES
        .iter()
        .enumerate()
        .find(|(i, c)| !c.keywords.is_empty() && reading.names_cause(*i))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sorted_unique_and_other_is_last() {
        let ids: Vec<&str> = CAUSES.iter().map(|c| c.id).collect();
        let (last, rest) = ids.split_last().unwrap();
        assert_eq!(*last, OTHER);
        assert!(rest.windows(2).all(|w| w[0] < w[1]), "{rest:?}");
    }

    #[test]
    fn no_keyword_is_a_general_word() {
        for c in CAUSES {
            for k in c.keywords {
                assert!(
                    !GENERAL_WORDS.contains(&normalize(k).as_str()),
                    "{}: {k}",
                    c.id
                );
                assert_eq!(
                    cause_in_text(k).map(|c| c.id),
                    Some(c.id),
                    "{k} names another cause first"
                );
            }
        }
    }

    #[test]
    fn every_name_names_its_own_cause() {
        for c in CAUSES.iter().filter(|c| c.id != OTHER) {
            assert_eq!(
                cause_in_text(c.name).map(|c| c.id),
                Some(c.id),
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn negation_cancels_a_mention() {
        let pool = cause("connection_pool_exhaustion").unwrap().keywords;
        assert!(mentions("The connection pool is exhausted", pool));
        assert!(!mentions(
            "database CPU saturated, not connection pool",
            pool
        ));
        assert!(!mentions(
            "no connection pool problem; CPU is saturated",
            pool
        ));
        assert!(!mentions("the connection pool is fine", pool));
        assert!(!mentions("connection pool was ruled out", pool));
        assert!(mentions(
            "not the CPU but the connection pool is exhausted",
            pool
        ));
        assert!(mentions("CPU looks fine. Connection pool exhausted.", pool));
        assert!(!mentions("pooling connections", pool));
    }

    #[test]
    fn versions_and_dotted_names_stay_whole() {
        assert!(mentions(
            "the app 8.14.0 release stacks timers",
            &["8.14.0"]
        ));
        assert!(mentions(
            "max.poll.interval.ms exceeded",
            &["max.poll.interval.ms"]
        ));
        assert!(!mentions("8.14 rolled out, then 0 errors", &["8.14.0"]));
        assert!(matchable("8.14.0") && matchable("t3.xlarge"));
        assert!(!matchable("tls: bad certificate"));
    }

    #[test]
    fn reasonable_phrasings_name_their_cause() {
        for (text, id) in [
            ("recommendations is leaking memory", "memory_leak"),
            ("chronyd stopped on the auth hosts", "clock_skew"),
            ("the indexer's disk is full", "disk_full"),
            (
                "orders-db ran out of connections",
                "connection_pool_exhaustion",
            ),
            (
                "the payments certificate expired",
                "expired_tls_certificate",
            ),
            (
                "clients retry without backoff: a retry storm",
                "retry_storm",
            ),
        ] {
            assert_eq!(cause_in_text(text).map(|c| c.id), Some(id), "{text}");
        }
    }
}
