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

/// Every cause category, sorted by id, `other` last.
pub const CAUSES: &[Cause] = &[
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
        id: "cache_stampede",
        name: "Cache stampede",
        description: "Many cache entries expire or are missed at once and every request falls through to the backing store.",
        keywords: &["cache stampede", "thundering herd", "dogpile", "cache expired", "cache entries expired", "mass cache miss", "cache misses"],
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
        id: "cpu_throttling",
        name: "CPU throttling",
        description: "A container hits its CPU quota (or a noisy neighbour takes the node) and is throttled.",
        keywords: &["cpu throttling", "cpu throttled", "throttled cpu", "noisy neighbour", "noisy neighbor", "cfs quota", "cpu quota", "cpu starvation"],
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
        id: "expired_tls_certificate",
        name: "Expired TLS certificate",
        description: "A certificate passed its expiry date, so TLS handshakes fail.",
        keywords: &["expired certificate", "certificate expired", "cert expired", "expired cert", "certificate has expired", "tls certificate", "x509", "certificate expiry"],
    },
    Cause {
        id: "hot_partition",
        name: "Hot partition",
        description: "One partition, shard or key takes a disproportionate share of the load and saturates.",
        keywords: &["hot partition", "hot shard", "hot key", "partition skew", "skewed partition", "hotspot", "hot spot", "single partition", "one partition"],
    },
    Cause {
        id: "load_balancer_misconfiguration",
        name: "Load balancer misconfiguration",
        description: "A load balancer sends traffic to too few or the wrong backends.",
        keywords: &["load balancer", "load-balancer", "load balancing", "backend pool", "lb config", "lb policy", "out of rotation"],
    },
    Cause {
        id: "memory_leak",
        name: "Memory leak",
        description: "A process keeps memory it no longer needs until it is OOM-killed.",
        keywords: &["memory leak", "leaking memory", "leaks memory", "leak memory", "memory leaking", "oom", "oomkilled", "oom killed", "out of memory", "memory growth", "heap growth"],
    },
    Cause {
        id: "network_partition",
        name: "Network partition",
        description: "Part of the network cannot reach another part (a zone, a link, a firewall rule).",
        keywords: &["network partition", "partitioned network", "packet loss", "network split", "split brain", "zones cannot reach", "inter-zone link", "firewall rule"],
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
    let phrases: Vec<Vec<String>> = phrases
        .iter()
        .map(|p| {
            normalize(p.as_ref())
                .split(' ')
                .map(str::to_string)
                .collect()
        })
        .filter(|words: &Vec<String>| words.iter().any(|w| !w.is_empty()))
        .collect();
    clauses(text).iter().any(|clause| {
        let words: Vec<&str> = clause.split(' ').filter(|w| !w.is_empty()).collect();
        (0..words.len()).any(|start| {
            phrases.iter().any(|phrase| {
                words.len() >= start + phrase.len()
                    && phrase.iter().zip(&words[start..]).all(|(p, w)| p == w)
                    && !words[..start].iter().any(|w| NEGATIONS.contains(w))
                    && !ruled_out_after(&words[start + phrase.len()..])
            })
        })
    })
}

/// "… is fine", "… was ruled out", "… looks ok" after a phrase negate it.
fn ruled_out_after(rest: &[&str]) -> bool {
    let rest: Vec<&str> = rest
        .iter()
        .copied()
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
fn clauses(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in text.split(['.', ',', ';', ':', '!', '?', '\n', '(', ')']) {
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
    CAUSES
        .iter()
        .find(|c| !c.keywords.is_empty() && mentions(text, c.keywords))
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
