//! `cargo xtask bench`: the side-by-side suite, its table, CSV and chart.
//!
//! The measuring is done by the suite binary,
//! `threadpool-core/benches/suite.rs` (a `harness = false` bench target, so
//! that rayon, the `threadpool` crate and the compat crate are compiled only
//! when benchmarking, never for `cargo xtask ci`). This module builds and
//! runs it with `cargo bench` (the release profile), reads its `RESULT` and
//! `RATIO` lines, and writes the report. For the Python anchor it installs
//! the Python module into a venv under `target/` and hands the suite the
//! interpreter and `xtask/bench_threadpool.py`.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::util;

pub const HELP: &str = "\
cargo xtask bench [--quick] [--docs] [SCENARIO...]

Runs this workspace side by side with its peers, in one run, each scenario's
implementations interleaved round by round (the value reported is the median
of the rounds), so that the ratios hold on a noisy machine.

Scenarios (all of them when none is named):
  submit     1,000,000 tiny requests put from the main thread, results summed
             by callbacks there: put_request and put_requests (batched) vs the
             `threadpool` crate (execute + channel), rayon (spawn + channel),
             a sequential loop
  par_map    10,000,000 cheap u64 items map+collect, and 100,000 items of
             ~10 us work: the compat crate's par_iter and par_map vs
             rayon's par_iter vs sequential
  fork_join  fib(30) with join at every level: threadpool-core's and the compat
             crate's join vs rayon::join vs sequential
  idle       a pool left idle for 2 s after a burst: CPU time and context
             switches in the window (getrusage), each pool in its own
             process, vs no pool, rayon, the `threadpool` crate
  wake       an idle pool, one request: time until its callback runs, p50 and
             p99, vs rayon, the `threadpool` crate, a thread per request
  memory     peak RSS (VmHWM) while 10,000,000 requests stream through a
             bounded request queue, vs the `threadpool` crate's unbounded one
  python     100,000 requests with make_requests + put_request + wait vs
             Python's `threadpool` 1.3.2 (the 1.2.6 API) with makeRequests +
             putRequest + wait; needs python3, installs the module into
             target/bench-venv with pip. Without python3 (or pip access) it is
             skipped, or an error when named.

Options:
  --quick    smaller sizes and fewer rounds (under 2 minutes on 2 cores)
  --docs     also copy the chart and CSV to docs/bench.svg and docs/bench.csv
             (a full run of every scenario only)

Output (stdout): a table, and one line per measurement and per comparison:
  RESULT <scenario> <implementation> <value> <unit>
  RATIO <scenario> <ours> <peer> <ours/peer>
Lower is better for every value (time, CPU time, context switches, memory),
so a RATIO below 1 means ours is better. Then the goals, met or missed.

Files: target/bench-report/bench.csv and target/bench-report/bench.svg (a
chart of every RATIO, log scale).
";

/// Every scenario the suite knows, in the order it runs them.
const SCENARIOS: &[&str] = &[
    "submit",
    "par_map",
    "fork_join",
    "idle",
    "wake",
    "memory",
    "python",
    "compat_iter",
];

/// One `RESULT` or `RATIO` line.
#[derive(Debug, Clone)]
enum Line {
    Result {
        scenario: String,
        implementation: String,
        value: f64,
        unit: String,
    },
    Ratio {
        scenario: String,
        ours: String,
        peer: String,
        ratio: f64,
    },
}

impl Line {
    fn parse(line: &str) -> Option<Line> {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            ["RESULT", scenario, implementation, value, unit] => Some(Line::Result {
                scenario: (*scenario).to_owned(),
                implementation: (*implementation).to_owned(),
                value: value.parse().ok()?,
                unit: (*unit).to_owned(),
            }),
            ["RATIO", scenario, ours, peer, ratio] => Some(Line::Ratio {
                scenario: (*scenario).to_owned(),
                ours: (*ours).to_owned(),
                peer: (*peer).to_owned(),
                ratio: ratio.parse().ok()?,
            }),
            _ => None,
        }
    }
}

/// Where and when the numbers were taken.
struct Machine {
    date: String,
    cpu: String,
    cores: usize,
    /// The 1-minute load average when the run started: on a shared machine,
    /// how much else was running.
    load: Option<f64>,
}

impl Machine {
    fn here() -> Machine {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find_map(|line| line.strip_prefix("model name"))
                    .map(|rest| rest.trim_start_matches([' ', '\t', ':']).trim().to_owned())
            })
            .unwrap_or_else(|| "unknown CPU".to_owned());
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        let load = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|text| text.split_whitespace().next()?.parse().ok());
        Machine {
            date: today(),
            cpu,
            cores,
            load,
        }
    }

    fn describe(&self) -> String {
        let mut text = format!("{}, {} on {} cores", self.date, self.cpu, self.cores);
        if let Some(load) = self.load {
            let _ = write!(text, ", load average {load:.1} at the start");
        }
        text
    }
}

/// Today's UTC date, `YYYY-MM-DD`, from the system clock.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Howard Hinnant's days-to-civil algorithm.
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

pub fn run(args: &[String]) -> Result<(), String> {
    let mut quick = false;
    let mut docs = false;
    let mut named = Vec::new();
    for arg in args {
        match arg.as_str() {
            "--quick" => quick = true,
            "--docs" => docs = true,
            "--help" | "-h" => {
                print!("{HELP}");
                return Ok(());
            }
            name if SCENARIOS.contains(&name) => {
                if !named.iter().any(|n| n == name) {
                    named.push(name.to_owned());
                }
            }
            other => {
                return Err(format!(
                    "bench: unknown argument `{other}` (scenarios: {})\n\n{HELP}",
                    SCENARIOS.join(", ")
                ));
            }
        }
    }
    if docs && (quick || !named.is_empty()) {
        return Err("bench: --docs records a full run of every scenario; \
                    leave out --quick and the scenario names"
            .to_owned());
    }
    let root = util::root();
    let python_named = named.iter().any(|n| n == "python");
    let want_python = named.is_empty() || python_named;
    let python = if want_python {
        match python_anchor(&root) {
            Ok(paths) => Some(paths),
            Err(message) if python_named || docs => return Err(message),
            Err(message) => {
                eprintln!("xtask: {message}; skipping the python scenario");
                None
            }
        }
    } else {
        None
    };
    let mut suite_args: Vec<String> = Vec::new();
    if quick {
        suite_args.push("--quick".to_owned());
    }
    if let Some((interpreter, script)) = &python {
        suite_args.push("--python".to_owned());
        suite_args.push(interpreter.display().to_string());
        suite_args.push(script.display().to_string());
    }
    if named.is_empty() {
        // The suite's default would leave out python without --python;
        // name them all so the run is explicit either way.
        suite_args.extend(
            SCENARIOS
                .iter()
                .filter(|s| **s != "python" || python.is_some())
                .map(|s| (*s).to_owned()),
        );
    } else {
        suite_args.extend(named.iter().cloned());
    }

    let machine = Machine::here();
    let lines = run_suite(&suite_args)?;
    let mode = if quick { "quick run" } else { "full run" };
    print!("{}", table(&lines, &machine, mode));
    print!("{}", goals(&lines));

    let report = root.join("target").join("bench-report");
    std::fs::create_dir_all(&report)
        .map_err(|err| format!("could not create {}: {err}", report.display()))?;
    let csv = csv(&lines, &machine, mode);
    let svg = svg(&lines, &machine, mode);
    write(&report.join("bench.csv"), &csv)?;
    write(&report.join("bench.svg"), &svg)?;
    if docs {
        let dir = root.join("docs");
        std::fs::create_dir_all(&dir)
            .map_err(|err| format!("could not create {}: {err}", dir.display()))?;
        write(&dir.join("bench.csv"), &csv)?;
        write(&dir.join("bench.svg"), &svg)?;
    }
    Ok(())
}

fn write(path: &Path, contents: &str) -> Result<(), String> {
    std::fs::write(path, contents)
        .map_err(|err| format!("could not write {}: {err}", path.display()))?;
    eprintln!("xtask: wrote {}", path.display());
    Ok(())
}

/// Makes sure `target/bench-venv` has Python's `threadpool` 1.3.2; returns
/// the venv's interpreter and the timing script.
fn python_anchor(root: &Path) -> Result<(PathBuf, PathBuf), String> {
    let venv = root.join("target").join("bench-venv");
    let interpreter = venv.join("bin").join("python");
    let script = root.join("xtask").join("bench_threadpool.py");
    let installed = || {
        Command::new(&interpreter)
            .args([
                "-c",
                "import threadpool; assert threadpool.__version__ == '1.3.2'",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    };
    if installed() {
        return Ok((interpreter, script));
    }
    let python3 = Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .status();
    if !python3.is_ok_and(|status| status.success()) {
        return Err(
            "python3 not found on PATH (the python scenario needs it to run \
                    Python's threadpool module)"
                .to_owned(),
        );
    }
    util::run(Command::new("python3").arg("-m").arg("venv").arg(&venv))
        .map_err(|err| format!("could not create a venv in {}: {err}", venv.display()))?;
    // 1.3.2 is 1.2.6's API, packaged so that it still installs on Python 3.
    util::run(
        Command::new(&interpreter)
            .args(["-m", "pip", "install", "--quiet", "threadpool==1.3.2"])
            .current_dir(root),
    )
    .map_err(|err| format!("could not install threadpool==1.3.2 with pip: {err}"))?;
    if installed() {
        Ok((interpreter, script))
    } else {
        Err("threadpool==1.3.2 installed, but `import threadpool` fails".to_owned())
    }
}

/// Runs the suite, echoing its `RESULT`/`RATIO` lines as they come.
fn run_suite(args: &[String]) -> Result<Vec<Line>, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .args([
            "bench",
            "--package",
            "threadpool-core",
            "--bench",
            "suite",
            "--",
        ])
        .args(args)
        .current_dir(util::root())
        .stdout(Stdio::piped());
    eprintln!("xtask: running {command:?}");
    let mut child = command
        .spawn()
        .map_err(|err| format!("could not start cargo: {err}"))?;
    let stdout = child.stdout.take().expect("piped");
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|err| format!("reading the suite's output: {err}"))?;
        println!("{line}");
        if let Some(parsed) = Line::parse(&line) {
            lines.push(parsed);
        }
    }
    let status = child
        .wait()
        .map_err(|err| format!("waiting for the suite: {err}"))?;
    if !status.success() {
        return Err(format!("the benchmark suite failed with {status}"));
    }
    Ok(lines)
}

fn table(lines: &[Line], machine: &Machine, mode: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n== Results ({mode}, {}) ==", machine.describe());
    let _ = writeln!(
        out,
        "{:<18} {:<26} {:>14}  unit",
        "scenario", "implementation", "value"
    );
    for line in lines {
        if let Line::Result {
            scenario,
            implementation,
            value,
            unit,
        } = line
        {
            let _ = writeln!(
                out,
                "{scenario:<18} {implementation:<26} {value:>14.3}  {unit}"
            );
        }
    }
    let _ = writeln!(
        out,
        "\n== Ratios: ours / peer (lower is better; < 1: ours better) =="
    );
    let _ = writeln!(
        out,
        "{:<18} {:<26} {:<26} {:>10}",
        "scenario", "ours", "peer", "ours/peer"
    );
    for line in lines {
        if let Line::Ratio {
            scenario,
            ours,
            peer,
            ratio,
        } = line
        {
            let _ = writeln!(out, "{scenario:<18} {ours:<26} {peer:<26} {ratio:>10.4}");
        }
    }
    out
}

fn find_ratio(lines: &[Line], scenario: &str, ours: &str, peer: &str) -> Option<f64> {
    lines.iter().find_map(|line| match line {
        Line::Ratio {
            scenario: s,
            ours: o,
            peer: p,
            ratio,
        } if s == scenario && o == ours && p == peer => Some(*ratio),
        _ => None,
    })
}

fn find_result(lines: &[Line], scenario: &str, implementation: &str) -> Option<f64> {
    lines.iter().find_map(|line| match line {
        Line::Result {
            scenario: s,
            implementation: i,
            value,
            ..
        } if s == scenario && i == implementation => Some(*value),
        _ => None,
    })
}

/// The issue's goals, checked against this run's ratios.
fn goals(lines: &[Line]) -> String {
    let mut out = String::from("\n== Goals ==\n");
    let mut ratio_goal = |what: &str, scenario: &str, ours: &str, peer: &str, limit: f64| {
        let verdict = match find_ratio(lines, scenario, ours, peer) {
            None => "not measured".to_owned(),
            Some(r) if r <= limit => format!("met ({r:.3} <= {limit})"),
            Some(r) => format!("MISSED ({r:.3} > {limit}, {:.2}x the goal)", r / limit),
        };
        let _ = writeln!(out, "{what:<52} {verdict}");
    };
    ratio_goal(
        "submit: <= 0.5 x threadpool crate",
        "submit",
        "threadpool-core",
        "threadpool-crate",
        0.5,
    );
    ratio_goal(
        "submit: <= 0.5 x rayon spawn",
        "submit",
        "threadpool-core",
        "rayon-spawn",
        0.5,
    );
    ratio_goal(
        "submit (batched): <= 0.5 x threadpool crate",
        "submit",
        "threadpool-core-batched",
        "threadpool-crate",
        0.5,
    );
    ratio_goal(
        "submit (batched): <= 0.5 x rayon spawn",
        "submit",
        "threadpool-core-batched",
        "rayon-spawn",
        0.5,
    );
    ratio_goal(
        "par_map cheap: <= 1.0 x rayon",
        "par_map/cheap",
        "compat-par_iter",
        "rayon-par_iter",
        1.0,
    );
    ratio_goal(
        "par_map 10us: <= 1.0 x rayon",
        "par_map/10us",
        "compat-par_iter",
        "rayon-par_iter",
        1.0,
    );
    ratio_goal(
        "fork-join (core join): <= 1.0 x rayon",
        "fork_join",
        "threadpool-core-join",
        "rayon-join",
        1.0,
    );
    ratio_goal(
        "fork-join (compat join): <= 1.0 x rayon",
        "fork_join",
        "compat-join",
        "rayon-join",
        1.0,
    );
    ratio_goal(
        "python: >= 200 x faster per request",
        "python",
        "threadpool-core",
        "python-threadpool",
        1.0 / 200.0,
    );
    // Idle: the window is 2 s; "within noise" is taken as at most 1 ms more
    // CPU and 10 more context switches than the process with no pool.
    let idle = [
        ("idle/cpu", "us", 1_000.0),
        ("idle/ctxsw", "switches", 10.0),
    ];
    for (scenario, unit, slack) in idle {
        let what = format!("{scenario}: within {slack} {unit} of no pool");
        let verdict = match (
            find_result(lines, scenario, "threadpool-core"),
            find_result(lines, scenario, "none"),
        ) {
            (Some(ours), Some(none)) if ours <= none + slack => {
                format!("met ({ours} vs {none} {unit})")
            }
            (Some(ours), Some(none)) => format!("MISSED ({ours} vs {none} {unit})"),
            _ => "not measured".to_owned(),
        };
        let _ = writeln!(out, "{what:<52} {verdict}");
    }
    out
}

fn csv(lines: &[Line], machine: &Machine, mode: &str) -> String {
    let mut out = format!(
        "# {mode}, {}\nkind,scenario,implementation,peer,value,unit\n",
        machine.describe().replace(',', ";")
    );
    for line in lines {
        match line {
            Line::Result {
                scenario,
                implementation,
                value,
                unit,
            } => {
                let _ = writeln!(out, "RESULT,{scenario},{implementation},,{value},{unit}");
            }
            Line::Ratio {
                scenario,
                ours,
                peer,
                ratio,
            } => {
                let _ = writeln!(out, "RATIO,{scenario},{ours},{peer},{ratio},ours/peer");
            }
        }
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A horizontal bar per `RATIO`, on a log scale around 1: green to the left
/// (ours better), red to the right. Plain SVG: no fonts or libraries needed.
fn svg(lines: &[Line], machine: &Machine, mode: &str) -> String {
    let ratios: Vec<(&str, &str, &str, f64)> = lines
        .iter()
        .filter_map(|line| match line {
            Line::Ratio {
                scenario,
                ours,
                peer,
                ratio,
            } if *ratio > 0.0 => Some((scenario.as_str(), ours.as_str(), peer.as_str(), *ratio)),
            _ => None,
        })
        .collect();
    let (lo, hi) = ratios.iter().fold((-1.0_f64, 1.0_f64), |(lo, hi), r| {
        let l = r.3.log10();
        (lo.min(l.floor()), hi.max(l.ceil()))
    });
    let row = 20.0;
    let top = 78.0;
    let label_width = 490.0;
    let plot_left = label_width + 10.0;
    let plot_width = 500.0;
    let width = plot_left + plot_width + 90.0;
    let height = top + row * ratios.len() as f64 + 40.0;
    let x = |log: f64| plot_left + (log - lo) / (hi - lo) * plot_width;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">"##
    );
    let _ = writeln!(out, r##"<rect width="100%" height="100%" fill="white"/>"##);
    let _ = writeln!(
        out,
        r##"<text x="10" y="22" font-size="16" font-weight="bold">threadpool-core and threadpool-rayon-compat vs peers: ours / peer (log scale, lower is better)</text>"##
    );
    let _ = writeln!(
        out,
        r##"<text x="10" y="42" fill="#444">{}: {}; implementations interleaved, median of rounds</text>"##,
        escape(mode),
        escape(&machine.describe())
    );
    let _ = writeln!(
        out,
        r##"<text x="10" y="60" fill="#444">Time for submit, par_map, fork_join, wake and python; CPU time and context switches for idle; peak RSS for memory.</text>"##
    );
    // Shade alternate scenarios.
    let mut previous = "";
    let mut shade = false;
    for (i, (scenario, ..)) in ratios.iter().enumerate() {
        if *scenario != previous {
            shade = !shade;
            previous = scenario;
        }
        if shade {
            let y = top + row * i as f64;
            let _ = writeln!(
                out,
                r##"<rect x="0" y="{y}" width="{width}" height="{row}" fill="#f2f2f2"/>"##
            );
        }
    }
    // Decade grid lines.
    let bottom = top + row * ratios.len() as f64;
    for decade in (lo as i32)..=(hi as i32) {
        let gx = x(f64::from(decade));
        let stroke = if decade == 0 { "#000" } else { "#bbb" };
        let label = match decade {
            d if d < 0 => format!("{}x", 10f64.powi(d)),
            d => format!("{}x", 10u64.pow(d as u32)),
        };
        let _ = writeln!(
            out,
            r##"<line x1="{gx}" y1="{top}" x2="{gx}" y2="{bottom}" stroke="{stroke}"/>"##
        );
        let _ = writeln!(
            out,
            r##"<text x="{gx}" y="{}" text-anchor="middle" fill="#444">{label}</text>"##,
            bottom + 16.0
        );
    }
    for (i, (scenario, ours, peer, ratio)) in ratios.iter().enumerate() {
        let y = top + row * i as f64;
        let mid = y + row / 2.0 + 4.0;
        let _ = writeln!(
            out,
            r##"<text x="10" y="{mid}">{}</text>"##,
            escape(&format!("{scenario}: {ours} / {peer}"))
        );
        let (a, b) = (x(0.0), x(ratio.log10()));
        let (left, w) = if b < a { (b, a - b) } else { (a, b - a) };
        let colour = if *ratio <= 1.0 { "#2e7d32" } else { "#c62828" };
        let _ = writeln!(
            out,
            r##"<rect x="{left:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{colour}"/>"##,
            y + 3.0,
            w.max(1.0),
            row - 6.0
        );
        let _ = writeln!(
            out,
            r##"<text x="{:.1}" y="{mid}">{}</text>"##,
            x(hi) + 6.0,
            format_ratio(*ratio)
        );
    }
    let _ = writeln!(out, "</svg>");
    out
}

fn format_ratio(ratio: f64) -> String {
    if ratio >= 10.0 {
        format!("{ratio:.1}")
    } else if ratio >= 0.01 {
        format!("{ratio:.3}")
    } else {
        format!("{ratio:.5}")
    }
}
