//! The `firedrill` command-line tool (native only): check scenario files,
//! list scenarios, play an episode with a baseline agent or an action file,
//! and print its grade or dashboard, an export of it, or the answer to a
//! PromQL query over its metrics (in the Prometheus HTTP API's JSON);
//! evaluate an agent over many scenarios and seeds in parallel
//! (`evaluate`); and serve the app's release build to a room without
//! internet (`serve-app`, which runs until stopped).
//!
//! Exit codes: 0 success, 1 bad input (invalid scenario files, a refused
//! action, a folder or port `serve-app` cannot use), 2 bad arguments (with
//! a usage message).

pub mod bench;
pub mod evaluate;
pub mod serve;

use crate::agents::{self, AGENT_NAMES};
use crate::env::{Action, Env, Selection};
use crate::export::{episode_export, ExportKind};
use crate::runner::{episode_summary, run_episode, Driver};
use crate::scenario::Catalog;
use crate::workshop::{self, code, pack, pack::is_pack};
use std::io::Write;
use std::path::{Path, PathBuf};

const USAGE: &str = "\
firedrill — incident-response drills

USAGE:
    firedrill list [--json]
    firedrill check [--strict] PATH...
    firedrill causes [--json]
    firedrill packs [--json]
    firedrill curriculum [--json]
    firedrill grade-code [--scenarios DIR] CODE
    firedrill serve-app DIR [--port N] [--lan]
    firedrill run (--scenario ID | --task TASK) [--seed N] [--agent random|heuristic|oracle | --actions FILE.json] [--json]
    firedrill render (--scenario ID | --task TASK) [--seed N] [--agent A | --actions FILE.json]
    firedrill export KIND (--scenario ID | --task TASK) [--seed N] [--agent A | --actions FILE.json]
    firedrill query (--scenario ID | --task TASK) [--seed N] [--agent A | --actions FILE.json] [--time T | --start S --end E --step D] [--] EXPR
    firedrill evaluate (--task TASK | --scenario ID)... --seeds N..M [--agent A] [--jobs N] [--scenarios DIR] [--json | --csv]
    firedrill bench [--json] [--smoke]
    firedrill help

COMMANDS:
    list     every scenario: id, handle, title, task, fault type, services (--json: a JSON array)
    check    validate scenario files or folders of them; errors as PATH:LINE:COL: message
             (--strict: also refuse what leaks or misleads: a title or summary naming the
             root-cause service, the fault type or a diagnosis keyword; no debrief_title; a
             general keyword; a cause outside the taxonomy; a red herring with no edge to an
             affected service; a right fix nothing gives evidence for)
             A file with [[drills]] is a workshop pack: its drills must name scenarios that are
             built in or given in the same check
    causes   the taxonomy of causes a diagnosis names (--json: an array of {id, name, description})
    packs    the built-in workshop packs and their drills (--json: an array of {id, title,
             summary, objectives, drills: [{scenario, seed, mode, minutes, note}]})
    curriculum  the stages easy to hard: difficulty, step budget, time penalty per step, pass
             mark, graded dimensions with weights, scenarios and fault types (--json: an array)
    grade-code  replay a result code (r1.…, from the end of a drill) and print the grade of
             the episode it plays, as run --json does, with name, pack, drill, mode,
             claimed_score and score_edited (the code's own score is never trusted)
    serve-app  serve the app's release build DIR (dist/, or an unzipped firedrill-<version>
             package) over HTTP from this machine, to run a workshop in a room without
             internet; prints the URLs to open: this machine's (http://127.0.0.1:PORT/) and,
             with --lan, the room's (http://ADDRESS:PORT/, this machine's network address);
             --port N (default 8000); runs until Ctrl+C, with no line per request
    run      play one episode and print its grade (--json: one object with the actions played)
    render   play one episode and print the markdown incident dashboard at its end
    export   play one episode and print an export of it to stdout:
               openmetrics      every sample of the episode (OpenMetrics, timestamps in seconds)
               exposition       the metrics at the end (Prometheus text format 0.0.4)
               rules            the scenario's alert rules (Prometheus rules YAML)
               grafana          the Grafana overview dashboard: golden signals per service, up,
                                alerts firing, business signals, recent changes (JSON)
               csv              the per-step recorder (CSV)
               otlp-logs        the episode's logs (OTLP/JSON ExportLogsServiceRequest)
               grafana-slo      the Grafana SLO dashboard: error budget, burn rates (JSON)
               grafana-service  the Grafana dashboard of one service (the service variable)
               telemetry        the sandbox's own counters after the episode: episodes, steps,
                                resets by task, actions by type, errors (Prometheus text)
               otlp-traces      the episode's simulated request traces (OTLP/JSON
                                ExportTraceServiceRequest)
               postmortem       a postmortem draft (Markdown): summary, impact, root cause, the
                                timeline, the response as graded, sections to fill in
    query    play one episode and evaluate the PromQL expression EXPR over its metrics;
             prints the Prometheus HTTP API JSON (instant query at --time, by default the
             episode's end; range query with --start, --end and --step); a query that fails
             prints the JSON error (status \"error\") and exits 1
    evaluate  play the agent (default heuristic) on every scenario given, for every seed of
             --seeds, in parallel on --jobs threads (default: one per core), with a progress bar
             on stderr when it is a terminal; print a table: per scenario its task, episodes, mean,
             min and max score, the share passed and the mean of each grade dimension, then a
             row over all episodes (the mean of each dimension over the episodes graded on it);
             then the wall time and episodes per second on stderr. The numbers do not depend on
             --jobs: episodes are summed up sorted by scenario, then seed.
             --json: one object {agent, seeds: {first, last, count}, episodes, mean_score,
             pass_rate, per_scenario: [{scenario, task, episodes, mean_score, min_score,
             max_score, pass_rate, dimensions: {name: mean}}], per_dimension: {name: mean},
             results: [{scenario, task, seed, score, passed, steps, status, terminated,
             truncated, cumulative_reward, dimensions: {name: score}}]};
             --csv: one row per episode: scenario,task,seed,score,<each dimension>
    bench    measure this build (about 10 s): steps per second of each task with the heuristic
             (in Env::step, in Env::step_lean over the same actions, and with resets and the
             agent), reset and grade time, PromQL instant and range query latency over a
             finished hard episode (--json: one object with steps_per_second {task: n},
             steps_per_second_lean {task: n}, query_instant_us_median, query_range_us_median,
             reset_us, episodes, queries; --smoke: a fraction of a second, figures meaningless)

OPTIONS:
    --scenario ID    a scenario id (see `firedrill list`); evaluate: repeat it or separate ids by
                     commas
    --task TASK      severity_classification | root_cause_analysis | full_incident_management;
                     the seed picks one of the task's scenarios; evaluate: every scenario of the
                     task (with --scenarios, those of DIR too); repeatable, comma-separated
    --seed N         unsigned integer seed (default 1)
    --seeds N..M     (evaluate) the seeds N to M, both included (M ≥ N), or one seed N
    --jobs N         (evaluate) threads playing episodes (default: one per core)
    --agent A        baseline agent playing the episode (default heuristic)
    --actions FILE   a JSON array of actions {action_type, target, parameters, reasoning}
    --scenarios DIR  also load the scenario files of DIR (or a single file) before selecting
    --json           machine-readable output
    --csv            (evaluate) one CSV row per episode
    --strict         (check) warnings as errors: see check
    --smoke          (bench) check that everything runs instead of measuring
    --time T         query time: simulated Unix seconds (decimals allowed)
    --start S        range query start, simulated Unix seconds
    --end E          range query end, simulated Unix seconds
    --step D         range query step: seconds (decimals allowed) or a duration such as 30s, 1m, 1h30m
    --port N         (serve-app) the port to listen on (default 8000; 0: any free port)
    --lan            (serve-app) listen on every network interface (0.0.0.0), so that others in
                     the room can open it; without it only this machine can (127.0.0.1)

EXIT CODES:
    0 success, 1 invalid input (scenario file, action file, refused action), a failed query,
    or a folder or port serve-app cannot use, 2 bad arguments
";

/// A failed command: the message (for stderr), the exit code, and what it
/// still prints on stdout (a query's JSON error).
struct Failure {
    code: i32,
    message: String,
    stdout: String,
}

fn usage(message: impl Into<String>) -> Failure {
    Failure {
        code: 2,
        message: format!("error: {}\n\n{USAGE}", message.into()),
        stdout: String::new(),
    }
}

fn input(message: impl Into<String>) -> Failure {
    Failure {
        code: 1,
        message: format!("error: {}", message.into()),
        stdout: String::new(),
    }
}

/// Parsed options shared by the commands.
#[derive(Default)]
struct Options {
    scenario: Option<String>,
    task: Option<String>,
    /// Every --scenario given, in order (evaluate takes several).
    scenario_ids: Vec<String>,
    /// Every --task given, in order (evaluate takes several).
    tasks: Vec<String>,
    seed: Option<u64>,
    seeds: Option<String>,
    jobs: Option<usize>,
    agent: Option<String>,
    actions: Option<PathBuf>,
    scenarios: Vec<PathBuf>,
    json: bool,
    csv: bool,
    smoke: bool,
    strict: bool,
    time: Option<String>,
    start: Option<String>,
    end: Option<String>,
    step: Option<String>,
    port: Option<u16>,
    lan: bool,
    positional: Vec<String>,
}

fn parse_options(args: &[String], allowed: &[&str]) -> Result<Options, Failure> {
    let mut options = Options::default();
    let mut i = 0;
    let mut after_dashes = false;
    while i < args.len() {
        let arg = &args[i];
        if after_dashes || !arg.starts_with("--") {
            options.positional.push(arg.clone());
            i += 1;
            continue;
        }
        if arg == "--" {
            after_dashes = true;
            i += 1;
            continue;
        }
        let (name, inline_value) = match arg.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (arg.clone(), None),
        };
        let key = name.trim_start_matches("--");
        if !allowed.contains(&key) {
            return Err(usage(format!("unknown option {name}")));
        }
        if matches!(key, "json" | "csv" | "smoke" | "strict" | "lan") {
            if inline_value.is_some() {
                return Err(usage(format!("{name} takes no value")));
            }
            match key {
                "json" => options.json = true,
                "csv" => options.csv = true,
                "smoke" => options.smoke = true,
                "lan" => options.lan = true,
                _ => options.strict = true,
            }
            i += 1;
            continue;
        }
        let value = match inline_value {
            Some(v) => v,
            None => {
                i += 1;
                args.get(i)
                    .cloned()
                    .ok_or_else(|| usage(format!("{name} needs a value")))?
            }
        };
        match key {
            "scenario" => {
                options.scenario_ids.push(value.clone());
                options.scenario = Some(value)
            }
            "task" => {
                options.tasks.push(value.clone());
                options.task = Some(value)
            }
            "seeds" => options.seeds = Some(value),
            "jobs" => {
                options.jobs = match value.parse::<usize>() {
                    Ok(jobs) if jobs > 0 => Some(jobs),
                    _ => {
                        return Err(usage(format!(
                            "--jobs expects a number of threads (1 or more), found {value:?}"
                        )))
                    }
                }
            }
            "seed" => {
                options.seed = Some(value.parse::<u64>().map_err(|_| {
                    usage(format!(
                        "--seed expects an unsigned integer, found {value:?}"
                    ))
                })?)
            }
            "agent" => {
                if !AGENT_NAMES.contains(&value.as_str()) {
                    return Err(usage(format!(
                        "--agent expects one of {}, found {value:?}",
                        AGENT_NAMES.join(", ")
                    )));
                }
                options.agent = Some(value)
            }
            "actions" => options.actions = Some(PathBuf::from(value)),
            "scenarios" => options.scenarios.push(PathBuf::from(value)),
            "time" => options.time = Some(value),
            "start" => options.start = Some(value),
            "end" => options.end = Some(value),
            "step" => options.step = Some(value),
            "port" => {
                options.port = Some(value.parse::<u16>().map_err(|_| {
                    usage(format!(
                        "--port expects a port number from 0 to 65535, found {value:?}"
                    ))
                })?)
            }
            _ => return Err(usage(format!("unknown option {name}"))),
        }
        i += 1;
    }
    Ok(options)
}

/// Runs the CLI with its arguments (without the program name); returns the exit code.
pub fn main(args: Vec<String>) -> i32 {
    let mut stdout = std::io::stdout().lock();
    match dispatch(&args, &mut stdout) {
        Ok(()) => 0,
        Err(failure) => {
            if !failure.message.is_empty() {
                eprintln!("{}", failure.message.trim_end());
            }
            failure.code
        }
    }
}

fn dispatch(args: &[String], out: &mut dyn Write) -> Result<(), Failure> {
    let Some(command) = args.first() else {
        return Err(usage("no command given"));
    };
    let rest = &args[1..];
    let text = match command.as_str() {
        "list" => list(&parse_options(rest, &["json", "scenarios"])?)?,
        "check" => check(&parse_options(rest, &["strict"])?)?,
        "causes" => causes(&parse_options(rest, &["json"])?)?,
        "packs" => packs(&parse_options(rest, &["json"])?)?,
        "curriculum" => curriculum(&parse_options(rest, &["json"])?)?,
        "grade-code" => grade_code(&parse_options(rest, &["scenarios"])?)?,
        "serve-app" => return serve_app(&parse_options(rest, &["port", "lan"])?, out),
        "run" => run(&parse_options(
            rest,
            &[
                "scenario",
                "task",
                "seed",
                "agent",
                "actions",
                "json",
                "scenarios",
            ],
        )?)?,
        "render" => render(&parse_options(
            rest,
            &["scenario", "task", "seed", "agent", "actions", "scenarios"],
        )?)?,
        "export" => export(&parse_options(
            rest,
            &["scenario", "task", "seed", "agent", "actions", "scenarios"],
        )?)?,
        "query" => match query(&parse_options(
            rest,
            &[
                "scenario",
                "task",
                "seed",
                "agent",
                "actions",
                "scenarios",
                "time",
                "start",
                "end",
                "step",
            ],
        )?) {
            Ok(text) => text,
            Err(failure) => {
                let _ = out
                    .write_all(failure.stdout.as_bytes())
                    .and_then(|_| out.flush());
                return Err(failure);
            }
        },
        "evaluate" => {
            if rest
                .iter()
                .any(|a| a == "--seed" || a.starts_with("--seed="))
            {
                return Err(usage(
                    "evaluate takes --seeds N..M (or --seeds N), not --seed",
                ));
            }
            return evaluate::evaluate(
                &parse_options(
                    rest,
                    &[
                        "scenario",
                        "task",
                        "seeds",
                        "agent",
                        "jobs",
                        "scenarios",
                        "json",
                        "csv",
                    ],
                )?,
                out,
            );
        }
        "bench" => bench(&parse_options(rest, &["json", "smoke"])?)?,
        "help" | "--help" | "-h" => USAGE.to_string(),
        other => return Err(usage(format!("unknown command {other:?}"))),
    };
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| input(format!("cannot write output: {e}")))
}

/// Scenario files named by `path`: the file itself, or the `.toml` files of a folder (sorted).
fn scenario_files(path: &Path) -> Result<Vec<PathBuf>, Failure> {
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| input(format!("{}: cannot read folder: {e}", path.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        Ok(files)
    } else if path.exists() {
        Ok(vec![path.to_path_buf()])
    } else {
        Err(input(format!("{}: no such file or folder", path.display())))
    }
}

fn read_text(path: &Path) -> Result<String, Failure> {
    let bytes =
        std::fs::read(path).map_err(|e| input(format!("{}: cannot read: {e}", path.display())))?;
    String::from_utf8(bytes).map_err(|e| {
        input(format!(
            "{}: not UTF-8 text (invalid byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })
}

fn catalog(options: &Options) -> Result<Catalog, Failure> {
    let mut catalog = Catalog::builtin();
    for path in &options.scenarios {
        for file in scenario_files(path)? {
            let text = read_text(&file)?;
            catalog
                .load_str(&file.display().to_string(), &text)
                .map_err(|errors| {
                    input(
                        errors
                            .iter()
                            .map(|e| e.to_string())
                            .collect::<Vec<_>>()
                            .join("\n"),
                    )
                })?;
        }
    }
    Ok(catalog)
}

fn list(options: &Options) -> Result<String, Failure> {
    let catalog = catalog(options)?;
    if options.json {
        let entries =
            serde_json::to_string_pretty(&catalog.summaries()).map_err(|e| input(e.to_string()))?;
        return Ok(entries + "\n");
    }
    let mut text = String::new();
    for s in catalog.scenarios() {
        let services: Vec<&str> = s.services.iter().map(|s| s.name.as_str()).collect();
        text.push_str(&format!(
            "{:<40} {} {:<26} {:<32} {}\n    {}\n",
            s.id,
            s.handle(),
            s.task,
            s.fault.cause,
            services.join(","),
            s.title
        ));
    }
    Ok(text)
}

/// `firedrill causes`: the taxonomy a diagnosis names its cause from.
fn causes(options: &Options) -> Result<String, Failure> {
    use crate::scenario::causes::CAUSES;
    if let Some(extra) = options.positional.first() {
        return Err(usage(format!("causes takes no argument, found {extra:?}")));
    }
    if options.json {
        return serde_json::to_string_pretty(CAUSES)
            .map(|json| json + "\n")
            .map_err(|e| input(e.to_string()));
    }
    Ok(CAUSES
        .iter()
        .map(|c| format!("{:<32} {}\n    {}\n", c.id, c.name, c.description))
        .collect())
}

fn check(options: &Options) -> Result<String, Failure> {
    if options.positional.is_empty() {
        return Err(usage("check needs at least one PATH"));
    }
    let mut problems = Vec::new();
    let mut valid = 0usize;
    let mut ids: Vec<(String, String)> = Vec::new();
    // Packs are checked once every scenario given beside them is known.
    let mut pack_files: Vec<(String, String)> = Vec::new();
    for path in &options.positional {
        for file in scenario_files(Path::new(path))? {
            let name = file.display().to_string();
            let text = match read_text(&file) {
                Ok(t) => t,
                Err(f) => {
                    problems.push(format!(
                        "{name}:1:1: {}",
                        f.message.trim_start_matches("error: ")
                    ));
                    continue;
                }
            };
            if is_pack(&text) {
                pack_files.push((name, text));
                continue;
            }
            match crate::scenario::parse(&name, &text) {
                Ok(scenario) => {
                    if options.strict {
                        problems.extend(
                            crate::scenario::lint(&name, &text, &scenario)
                                .iter()
                                .map(|e| e.to_string()),
                        );
                    }
                    if let Some((_, other)) = ids.iter().find(|(id, _)| *id == scenario.id) {
                        problems.push(format!(
                            "{name}:1:1: id: duplicate scenario id {:?}, also in {other}",
                            scenario.id
                        ));
                    } else {
                        ids.push((scenario.id.clone(), name.clone()));
                        valid += 1;
                    }
                }
                Err(errors) => problems.extend(errors.iter().map(|e| e.to_string())),
            }
        }
    }
    let builtin = Catalog::builtin();
    let known =
        |id: &str| builtin.summary(id).is_some() || ids.iter().any(|(known, _)| known == id);
    let mut pack_ids: Vec<(String, String)> = Vec::new();
    for (name, text) in &pack_files {
        match pack::parse(name, text, &known) {
            Ok(pack) => {
                if let Some((_, other)) = pack_ids.iter().find(|(id, _)| *id == pack.id) {
                    problems.push(format!(
                        "{name}:1:1: id: duplicate pack id {:?}, also in {other}",
                        pack.id
                    ));
                } else {
                    pack_ids.push((pack.id, name.clone()));
                }
            }
            Err(errors) => problems.extend(errors.iter().map(|e| e.to_string())),
        }
    }
    if problems.is_empty() {
        let mut said = format!("{valid} scenario file(s) valid\n");
        if !pack_ids.is_empty() {
            said.push_str(&format!("{} pack file(s) valid\n", pack_ids.len()));
        }
        Ok(said)
    } else {
        Err(Failure {
            code: 1,
            message: problems.join("\n"),
            stdout: String::new(),
        })
    }
}

fn packs(options: &Options) -> Result<String, Failure> {
    no_positional(options, "packs")?;
    let packs = pack::builtin_packs();
    if options.json {
        return serde_json::to_string_pretty(&packs)
            .map(|s| s + "\n")
            .map_err(|e| input(e.to_string()));
    }
    let mut text = String::new();
    for pack in &packs {
        text.push_str(&format!(
            "{}  {} ({} drills, {} min)\n",
            pack.id,
            pack.title,
            pack.drills.len(),
            pack.minutes()
        ));
        for (i, drill) in pack.drills.iter().enumerate() {
            text.push_str(&format!(
                "  {}. {} seed {} {} ({} min)\n",
                i + 1,
                drill.scenario,
                drill.seed,
                drill.mode.name(),
                drill.minutes
            ));
        }
    }
    Ok(text)
}

fn curriculum(options: &Options) -> Result<String, Failure> {
    no_positional(options, "curriculum")?;
    let stages = workshop::curriculum(&Catalog::builtin());
    if options.json {
        return serde_json::to_string_pretty(&stages)
            .map(|s| s + "\n")
            .map_err(|e| input(e.to_string()));
    }
    let mut text = String::new();
    for stage in &stages {
        let dimensions: Vec<String> = stage
            .dimensions
            .iter()
            .map(|d| format!("{} {:.0}%", d.name.name(), d.weight * 100.0))
            .collect();
        text.push_str(&format!(
            "{} ({}, {} scenarios): {} steps, −{} per step, pass {:.2}\n  {}\n",
            stage.task,
            format!("{:?}", stage.difficulty).to_lowercase(),
            stage.scenarios,
            stage.step_budget,
            stage.time_penalty_per_step,
            stage.pass_mark,
            dimensions.join(", ")
        ));
    }
    Ok(text)
}

fn grade_code(options: &Options) -> Result<String, Failure> {
    let [code] = options.positional.as_slice() else {
        return Err(usage("grade-code takes one result code (r1.…)"));
    };
    let catalog = catalog(options)?;
    let mut env = Env::with_catalog(catalog);
    let named = code::decode(code)
        .ok()
        .and_then(|c| c.pack)
        .and_then(|id| pack::builtin_pack(&id));
    let graded = workshop::grade_code(&mut env, code, named.as_ref())
        .map_err(|e| input(format!("error: {e}")))?;
    serde_json::to_string_pretty(&graded.summary)
        .map(|s| s + "\n")
        .map_err(|e| input(e.to_string()))
}

fn no_positional(options: &Options, command: &str) -> Result<(), Failure> {
    if options.positional.is_empty() {
        Ok(())
    } else {
        Err(usage(format!("{command} takes no argument")))
    }
}

/// The selection given by --scenario or --task.
fn selection(options: &Options) -> Result<Selection, Failure> {
    match (&options.scenario, &options.task) {
        (Some(id), None) => Ok(Selection::Scenario(id.clone())),
        (None, Some(task)) => Ok(Selection::Task(task.clone())),
        (Some(_), Some(_)) => Err(usage("give --scenario or --task, not both")),
        (None, None) => Err(usage("give --scenario ID or --task TASK")),
    }
}

/// Reads an action file: a JSON array of actions.
pub fn read_actions(path: &Path) -> Result<Vec<Action>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    serde_json::from_slice::<Vec<Action>>(&bytes).map_err(|e| {
        format!(
            "{}:{}:{}: expected a JSON array of actions {{action_type, target, parameters, reasoning}}: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })
}

/// Plays the episode the options describe.
fn play(options: &Options) -> Result<(Env, Vec<Action>, u64), Failure> {
    let selection = selection(options)?;
    if options.agent.is_some() && options.actions.is_some() {
        return Err(usage("give --agent or --actions, not both"));
    }
    let seed = options.seed.unwrap_or(1);
    let mut env = Env::with_catalog(catalog(options)?);
    let played = match &options.actions {
        Some(path) => {
            let actions = read_actions(path).map_err(input)?;
            run_episode(&mut env, &selection, seed, Driver::Actions(&actions))
        }
        None => {
            let name = options.agent.as_deref().unwrap_or("heuristic");
            let mut agent = agents::by_name(name, seed)
                .ok_or_else(|| usage(format!("unknown agent {name:?}")))?;
            run_episode(&mut env, &selection, seed, Driver::Agent(agent.as_mut()))
        }
    };
    let played = played.map_err(|e| {
        let code = if e.index.is_none() { 2 } else { 1 };
        Failure {
            code,
            message: format!("error: {e}"),
            stdout: String::new(),
        }
    })?;
    Ok((env, played, seed))
}

fn run(options: &Options) -> Result<String, Failure> {
    let (mut env, played, seed) = play(options)?;
    if options.json {
        let value = episode_summary(&mut env, seed, &played).map_err(|e| input(e.to_string()))?;
        return serde_json::to_string_pretty(&value)
            .map(|s| s + "\n")
            .map_err(|e| input(e.to_string()));
    }
    let state = env.state().map_err(|e| input(e.to_string()))?;
    let grade = env.grade().map_err(|e| input(e.to_string()))?;
    let mut text = format!(
        "scenario {} (task {}, seed {seed}): {} steps, status {}\nscore {:.4}\n",
        state.scenario,
        state.task,
        state.step,
        state.status.name(),
        grade.score
    );
    for d in &grade.dimensions {
        text.push_str(&format!(
            "  {:<28} {:.2} × {:.2}  {}\n",
            d.name, d.score, d.weight, d.explanation
        ));
    }
    Ok(text)
}

fn export(options: &Options) -> Result<String, Failure> {
    let kind = match options.positional.as_slice() {
        [kind] => ExportKind::from_id(kind).map_err(|e| usage(e.to_string()))?,
        [] => {
            return Err(usage(format!(
                "export needs a format: {}",
                ExportKind::ids().join(", ")
            )))
        }
        _ => return Err(usage("export takes one format")),
    };
    let (env, _, _) = play(options)?;
    episode_export(&env, kind).map_err(|e| input(e.to_string()))
}

/// A simulated Unix time in seconds (decimals allowed), as milliseconds.
fn parse_time(option: &str, text: &str) -> Result<i64, Failure> {
    match text.trim().parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds.abs() < 9e15 => {
            Ok((seconds * 1000.0).round() as i64)
        }
        _ => Err(usage(format!(
            "--{option} expects Unix seconds such as 1768478700 or 1768478700.5, found {text:?}"
        ))),
    }
}

/// A step: seconds (decimals allowed) or a duration such as `30s`, `1m`, `1h30m`, in ms.
fn parse_step(text: &str) -> Result<i64, Failure> {
    let bad = || {
        usage(format!(
            "--step expects seconds or a duration such as 30s, 1m or 1h30m, found {text:?}"
        ))
    };
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        return if seconds.is_finite() && seconds.abs() < 9e15 {
            Ok((seconds * 1000.0).round() as i64)
        } else {
            Err(bad())
        };
    }
    let mut total: i64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let n: i64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let factor: i64 = match &rest[..unit_len] {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 604_800_000,
            "y" => 31_536_000_000,
            _ => return Err(bad()),
        };
        rest = &rest[unit_len..];
        total = n
            .checked_mul(factor)
            .and_then(|ms| total.checked_add(ms))
            .ok_or_else(bad)?;
    }
    Ok(total)
}

/// An instant query at a time, or a range query.
enum QueryTime {
    Instant(Option<i64>),
    Range { start: i64, end: i64, step: i64 },
}

fn query_time(options: &Options) -> Result<QueryTime, Failure> {
    let range = [&options.start, &options.end, &options.step];
    match (&options.time, range) {
        (Some(_), r) if r.iter().any(|o| o.is_some()) => Err(usage(
            "give --time for an instant query or --start, --end and --step for a range query, not both",
        )),
        (Some(t), _) => Ok(QueryTime::Instant(Some(parse_time("time", t)?))),
        (None, [Some(start), Some(end), Some(step)]) => Ok(QueryTime::Range {
            start: parse_time("start", start)?,
            end: parse_time("end", end)?,
            step: parse_step(step)?,
        }),
        (None, [None, None, None]) => Ok(QueryTime::Instant(None)),
        (None, _) => Err(usage("a range query needs all of --start, --end and --step")),
    }
}

fn query(options: &Options) -> Result<String, Failure> {
    let expr =
        match options.positional.as_slice() {
            [expr] => expr.clone(),
            [] => return Err(usage("query needs a PromQL expression")),
            _ => return Err(usage(
                "query takes one expression; quote it, and put -- before one that starts with -",
            )),
        };
    let when = query_time(options)?;
    let (env, _, _) = play(options)?;
    let monitor = env.monitor().map_err(|e| input(e.to_string()))?;
    let store = monitor.store();
    let engine = crate::promql::Engine::default();
    let answer = match when {
        QueryTime::Instant(time) => {
            let time_ms = time.unwrap_or(monitor.last_time().saturating_mul(1000));
            engine
                .instant(store, &expr, time_ms)
                .map(|e| crate::promql::json::success(&e.value, &e.annotations))
        }
        QueryTime::Range { start, end, step } => engine
            .range(store, &expr, start, end, step)
            .map(|e| crate::promql::json::success_matrix(&e.value, &e.annotations)),
    };
    answer.map(|text| text + "\n").map_err(|e| Failure {
        code: 1,
        message: format!("error: query failed: {e}"),
        stdout: crate::promql::json::error(&e) + "\n",
    })
}

fn bench(options: &Options) -> Result<String, Failure> {
    if !options.positional.is_empty() {
        return Err(usage("bench takes no arguments"));
    }
    let budget = if options.smoke {
        crate::cli::bench::Budget::smoke()
    } else {
        crate::cli::bench::Budget::quick()
    };
    let report = crate::cli::bench::run(&budget);
    if options.json {
        serde_json::to_string_pretty(&report)
            .map(|text| text + "\n")
            .map_err(|e| input(e.to_string()))
    } else {
        Ok(crate::cli::bench::table(&report))
    }
}

/// `firedrill serve-app DIR`: prints the banner (flushed at once), then
/// serves until the process is stopped; returns only if it cannot start.
fn serve_app(options: &Options, out: &mut dyn Write) -> Result<(), Failure> {
    let dir = match options.positional.as_slice() {
        [dir] => Path::new(dir),
        [] => {
            return Err(usage(
                "serve-app needs DIR, the folder to serve (the release build, dist/)",
            ))
        }
        [_, extra, ..] => {
            return Err(usage(format!(
                "serve-app serves one folder, found another argument {extra:?}"
            )))
        }
    };
    let server = serve::Server::bind(
        dir,
        options.port.unwrap_or(serve::DEFAULT_PORT),
        options.lan,
    )
    .map_err(|e| input(e.to_string()))?;
    out.write_all(server.banner().as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| input(format!("cannot write output: {e}")))?;
    server.run()
}

fn render(options: &Options) -> Result<String, Failure> {
    let (env, _, _) = play(options)?;
    env.render().map_err(|e| input(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn run_cli(args: &[&str]) -> (i32, String, String) {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let mut out = Vec::new();
        match dispatch(&args, &mut out) {
            Ok(()) => (0, String::from_utf8_lossy(&out).into_owned(), String::new()),
            Err(f) => (
                f.code,
                String::from_utf8_lossy(&out).into_owned(),
                f.message,
            ),
        }
    }

    #[test]
    fn bad_arguments_exit_2_with_usage() {
        for args in [
            vec![],
            vec!["frobnicate"],
            vec!["run"],
            vec!["run", "--scenario"],
            vec!["run", "--task", "x", "--scenario", "y"],
            vec![
                "run",
                "--scenario",
                "connection-pool-exhaustion-v1",
                "--seed",
                "-3",
            ],
            vec![
                "run",
                "--scenario",
                "connection-pool-exhaustion-v1",
                "--agent",
                "genius",
            ],
            vec!["list", "--bogus"],
            vec!["run", "--scenario", "nope"],
            vec!["run", "--task", "nope"],
            vec!["query", "--scenario", "connection-pool-exhaustion-v1"],
            vec![
                "query",
                "--scenario",
                "connection-pool-exhaustion-v1",
                "up",
                "down",
            ],
            vec![
                "query",
                "--scenario",
                "connection-pool-exhaustion-v1",
                "--time",
                "soon",
                "up",
            ],
            vec![
                "query",
                "--scenario",
                "connection-pool-exhaustion-v1",
                "--time",
                "1",
                "--start",
                "1",
                "up",
            ],
            vec![
                "query",
                "--scenario",
                "connection-pool-exhaustion-v1",
                "--start",
                "1",
                "--end",
                "2",
                "up",
            ],
            vec![
                "query",
                "--scenario",
                "connection-pool-exhaustion-v1",
                "--start",
                "1",
                "--end",
                "2",
                "--step",
                "fortnight",
                "up",
            ],
        ] {
            let (code, _, err) = run_cli(&args);
            assert_eq!(code, 2, "{args:?}: {err}");
            assert!(err.contains("error:"), "{args:?}: {err}");
        }
    }

    #[test]
    fn run_json_has_the_contract_fields() {
        let (code, out, err) = run_cli(&[
            "run",
            "--scenario",
            "connection-pool-exhaustion-v1",
            "--agent",
            "oracle",
            "--json",
        ]);
        assert_eq!(code, 0, "{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        for field in [
            "scenario",
            "task",
            "seed",
            "steps",
            "score",
            "dimensions",
            "actions",
        ] {
            assert!(v.get(field).is_some(), "missing {field}");
        }
        assert!(v["score"].as_f64().unwrap() >= 0.9);
        let actions: Vec<Action> = serde_json::from_value(v["actions"].clone()).unwrap();
        assert_eq!(actions.len() as u64, v["steps"].as_u64().unwrap());
    }

    const SCENARIO: &str = "connection-pool-exhaustion-v1";

    #[test]
    fn query_answers_in_the_prometheus_api_shape() {
        let (code, out, err) = run_cli(&["query", "--scenario", SCENARIO, "sum by (service) (up)"]);
        assert_eq!(code, 0, "{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["status"], "success");
        assert_eq!(v["data"]["resultType"], "vector");
        let result = v["data"]["result"].as_array().unwrap();
        assert!(!result.is_empty());
        for sample in result {
            assert!(sample["metric"]["service"].is_string());
            assert!(sample["value"][0].is_number());
            assert!(sample["value"][1].is_string());
        }
        // Without --time the query runs at the episode's end.
        let (_, run, _) = run_cli(&["run", "--scenario", SCENARIO, "--json"]);
        let run: Value = serde_json::from_str(&run).unwrap();
        assert_eq!(result[0]["value"][0], run["end_time"]);
    }

    #[test]
    fn query_at_a_time_and_over_a_range() {
        let (_, run, _) = run_cli(&["run", "--scenario", SCENARIO, "--json"]);
        let run: Value = serde_json::from_str(&run).unwrap();
        let end = run["end_time"].as_i64().unwrap();
        let time = format!("{}.5", end - 60);
        let (code, out, err) = run_cli(&[
            "query",
            "--scenario",
            SCENARIO,
            "--time",
            &time,
            "--",
            "-count(up)",
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(
            out.contains(&format!("\"value\":[{}.500,\"-", end - 60)),
            "{out}"
        );
        let (start, stop) = ((end - 600).to_string(), end.to_string());
        let (code, out, err) = run_cli(&[
            "query",
            "--scenario",
            SCENARIO,
            "--start",
            &start,
            "--end",
            &stop,
            "--step",
            "5m",
            "count(up)",
        ]);
        assert_eq!(code, 0, "{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["data"]["resultType"], "matrix");
        let values = v["data"]["result"][0]["values"].as_array().unwrap();
        assert_eq!(values.len(), 3);
        assert_eq!(values[2][0].as_i64(), Some(end));
    }

    #[test]
    fn query_errors_are_json_on_stdout_with_exit_1() {
        for (args, error_type, needle) in [
            (
                vec!["sum(up"],
                "bad_data",
                "1:4: parse error: unclosed left parenthesis",
            ),
            (vec!["up[5m] + 1"], "bad_data", "parse error"),
            (
                vec!["--start", "10", "--end", "1", "--step", "1", "up"],
                "bad_data",
                "end timestamp must not be before start time",
            ),
            (
                vec!["--start", "1", "--end", "2", "--step", "0", "up"],
                "bad_data",
                "zero or negative query resolution step",
            ),
            (
                vec!["label_replace(up, \"service\", \"x\", \"\", \"\")"],
                "execution",
                "vector cannot contain metrics with the same labelset",
            ),
        ] {
            let mut full = vec!["query", "--scenario", SCENARIO];
            full.extend(args.iter().copied());
            let (code, out, err) = run_cli(&full);
            assert_eq!(code, 1, "{args:?}: {out} {err}");
            let v: Value = serde_json::from_str(&out).unwrap();
            assert_eq!(v["status"], "error", "{args:?}");
            assert_eq!(v["errorType"], error_type, "{args:?}");
            assert!(
                v["error"].as_str().unwrap().contains(needle),
                "{args:?}: {out}"
            );
        }
    }

    #[test]
    fn list_json_is_an_array_of_scenarios() {
        let (code, out, _) = run_cli(&["list", "--json"]);
        assert_eq!(code, 0);
        let v: Vec<Value> = serde_json::from_str(&out).unwrap();
        assert!(!v.is_empty());
        for field in ["id", "task", "fault", "services"] {
            assert!(v[0].get(field).is_some());
        }
    }
}
