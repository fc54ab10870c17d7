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
cargo xtask bench --redraw CSV

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
  fork_join  fib(30) with join at every level: threadpool-core's join, its
             Worker::join and the compat crate's join vs rayon::join vs sequential (which the compiler
             turns partly into a loop) and plain-call (a real call at every
             node), on all cores and on one worker (also ns per node)
  tree_sum   a perfect binary tree of 1,023 and of 16,777,215 nodes summed
             with join at every node: threadpool-core's join and its
             Worker::join vs rayon::join
             vs a plain recursive sum, on all cores and on one worker
  wide       200,000 tiny requests on pools of 2, 64, 256 and 1,024 workers
             vs the `threadpool` crate and rayon (spawn + channel) with the
             same thread counts; wide/scaling: ours at 1,024 over ours at 2
  blocking   4,000 requests that each sleep 1 ms on 256 workers vs the ideal
             wall time (4,000 x 1 ms / 256), the `threadpool` crate, and
             sleep-floor (16 sleeps of 1 ms in a row on one thread)
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
  --redraw CSV
             measure nothing: draw the chart of an earlier run from its CSV,
             beside it (docs/bench.csv gives docs/bench.svg), with that
             run's date and machine

Output (stdout): a table, and one line per measurement and per comparison:
  RESULT <scenario> <implementation> <value> <unit>
  RATIO <scenario> <ours> <peer> <ours/peer>
Lower is better for every value (time, CPU time, context switches, memory),
so a RATIO below 1 means ours is better. Then the goals, met or missed.

Files: target/bench-report/bench.csv and target/bench-report/bench.svg (a
chart of every RATIO, log scale, drawn with the plotters crate, dated and
naming the machine).
";

/// Every scenario the suite knows, in the order it runs them.
const SCENARIOS: &[&str] = &[
    "submit",
    "par_map",
    "fork_join",
    "tree_sum",
    "wide",
    "blocking",
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
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--redraw" => {
                let Some(csv) = args.next() else {
                    return Err("bench: --redraw takes the CSV of a run".to_owned());
                };
                return redraw(Path::new(csv));
            }
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
    let svg = svg(&lines, &machine.describe(), mode)?;
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

/// The goals, checked against this run's ratios.
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
        "fork-join: <= 0.5 x rayon",
        "fork_join",
        "threadpool-core-join",
        "rayon-join",
        0.5,
    );
    ratio_goal(
        "fork-join on 1 worker: <= 1.5 x a plain call",
        "fork_join/1worker",
        "threadpool-core-join",
        "plain-call",
        1.5,
    );
    ratio_goal(
        "fork-join on 1 worker, Worker::join: <= 1.5 x a plain call",
        "fork_join/1worker",
        "threadpool-core-worker-join",
        "plain-call",
        1.5,
    );
    for tree in ["tree_sum/1k", "tree_sum/16m"] {
        ratio_goal(
            &format!("{tree}: <= 1.0 x rayon"),
            tree,
            "threadpool-core-join",
            "rayon-join",
            1.0,
        );
    }
    for workers in [2, 64, 256, 1024] {
        ratio_goal(
            &format!("wide/{workers}: <= 1.0 x threadpool crate"),
            &format!("wide/{workers}"),
            "threadpool-core",
            "threadpool-crate",
            1.0,
        );
    }
    ratio_goal(
        "wide/scaling: 1,024 workers <= 1.5 x 2 workers",
        "wide/scaling",
        "threadpool-core@1024",
        "threadpool-core@2",
        1.5,
    );
    ratio_goal(
        "blocking 1 ms on 256 workers: <= 1.1 x ideal",
        "blocking",
        "threadpool-core",
        "ideal",
        1.1,
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

/// Reads a CSV that [`csv`] wrote back: its mode and machine line, and its
/// lines.
fn read_csv(text: &str) -> Result<(String, String, Vec<Line>), String> {
    let mut rows = text.lines();
    let heading = rows
        .next()
        .and_then(|line| line.strip_prefix("# "))
        .ok_or("the CSV does not start with its `# mode, machine` line")?;
    let (mode, machine) = heading
        .split_once(", ")
        .ok_or("the CSV's first line has no machine")?;
    let mut lines = Vec::new();
    for row in rows.skip(1) {
        let fields: Vec<&str> = row.split(',').collect();
        let line = match fields.as_slice() {
            ["RESULT", scenario, implementation, _, value, unit] => {
                format!("RESULT {scenario} {implementation} {value} {unit}")
            }
            ["RATIO", scenario, ours, peer, ratio, _] => {
                format!("RATIO {scenario} {ours} {peer} {ratio}")
            }
            _ => return Err(format!("not a line of the report: `{row}`")),
        };
        lines.extend(Line::parse(&line));
    }
    Ok((mode.to_owned(), machine.replace(';', ","), lines))
}

/// `--redraw CSV`: draws the chart of an earlier run again, from its CSV,
/// beside it (`bench.csv` gives `bench.svg`), with that run's date and
/// machine.
fn redraw(csv: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(csv)
        .map_err(|err| format!("could not read {}: {err}", csv.display()))?;
    let (mode, machine, lines) = read_csv(&text)?;
    write(&csv.with_extension("svg"), &svg(&lines, &machine, &mode)?)
}

/// The chart: a horizontal bar per `RATIO`, on a log scale around 1, green
/// to the left (ours better), red to the right, with the date, the machine
/// and the load in its heading. Drawn with plotters' SVG backend (text as
/// SVG text, so no font files are needed).
fn svg(lines: &[Line], machine: &str, mode: &str) -> Result<String, String> {
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, Pos, VPos};

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
    // Whole decades, at least 0.1x to 10x.
    let (lo, hi) = ratios.iter().fold((-1.0_f64, 1.0_f64), |(lo, hi), r| {
        let l = r.3.log10();
        (lo.min(l.floor()), hi.max(l.ceil()))
    });
    let (lo, hi) = (10f64.powf(lo), 10f64.powf(hi));
    let rows = ratios.len().max(1);
    let row = 20_u32;
    let (label_width, value_width, head, foot) = (500_u32, 70_u32, 80_u32, 40_u32);
    let width = 1_100_u32;
    let height = head + row * rows as u32 + foot;
    let mut out = String::new();
    {
        let error = |err: DrawingAreaErrorKind<_>| format!("drawing the chart: {err:?}");
        let root = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(error)?;
        let grey = RGBColor(0x44, 0x44, 0x44);
        // Sizes in points: plotters writes 12 pt as about 10 px.
        let font = ("sans-serif", 15).into_font();
        root.draw(&Text::new(
            "threadpool-core and threadpool-rayon-compat vs peers: ours / peer (log scale, lower is better)",
            (10, 8),
            ("sans-serif", 20).into_font().style(FontStyle::Bold),
        ))
        .map_err(error)?;
        root.draw(&Text::new(
            format!("{mode}: {machine}; implementations interleaved, median of rounds"),
            (10, 32),
            font.color(&grey),
        ))
        .map_err(error)?;
        root.draw(&Text::new(
            "Time for submit, wide, blocking, par_map, fork_join, tree_sum, wake and python; \
             CPU time and context switches for idle; peak RSS for memory.",
            (10, 50),
            font.color(&grey),
        ))
        .map_err(error)?;
        let (_, body) = root.split_vertically(head - 10);
        let mut chart = ChartBuilder::on(&body)
            .margin_left(label_width as i32)
            .margin_right(value_width as i32)
            .margin_top(10)
            .x_label_area_size(foot as i32 - 10)
            .build_cartesian_2d((lo..hi).log_scale(), 0.0..rows as f64)
            .map_err(error)?;
        let decade = |v: &f64| {
            if *v >= 1.0 {
                format!("{v:.0}x")
            } else {
                format!("{v}x")
            }
        };
        // Row `i` spans y in [rows - i - 1, rows - i]: the first at the top.
        let top = |i: usize| (rows - i) as f64;
        // Shade alternate scenarios.
        let mut previous = "";
        let mut shade = false;
        for (i, (scenario, ..)) in ratios.iter().enumerate() {
            if *scenario != previous {
                shade = !shade;
                previous = scenario;
            }
            if shade {
                let (_, y0) = chart.backend_coord(&(lo, top(i)));
                let (_, y1) = chart.backend_coord(&(hi, top(i) - 1.0));
                root.draw(&Rectangle::new(
                    [(0, y0), (width as i32, y1)],
                    RGBColor(0xf2, 0xf2, 0xf2).filled(),
                ))
                .map_err(error)?;
            }
        }
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .x_labels(((hi / lo).log10() as usize + 1).max(2))
            .x_label_formatter(&decade)
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(0xbb, 0xbb, 0xbb))
            .label_style(font.color(&grey))
            .draw()
            .map_err(error)?;
        chart
            .draw_series(ratios.iter().enumerate().map(|(i, r)| {
                let colour = if r.3 <= 1.0 {
                    RGBColor(0x2e, 0x7d, 0x32)
                } else {
                    RGBColor(0xc6, 0x28, 0x28)
                };
                Rectangle::new(
                    [(1.0, top(i) - 0.15), (r.3, top(i) - 0.85)],
                    colour.filled(),
                )
            }))
            .map_err(error)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                [(1.0, 0.0), (1.0, rows as f64)],
                BLACK,
            )))
            .map_err(error)?;
        for (i, (scenario, ours, peer, ratio)) in ratios.iter().enumerate() {
            let (left, y) = chart.backend_coord(&(lo, top(i) - 0.5));
            let (right, _) = chart.backend_coord(&(hi, top(i) - 0.5));
            root.draw(&Text::new(
                format!("{scenario}: {ours} / {peer}"),
                (left - 8, y),
                TextStyle::from(font.clone()).pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(error)?;
            root.draw(&Text::new(
                format_ratio(*ratio),
                (right + 6, y),
                TextStyle::from(font.clone()).pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(error)?;
        }
        root.present().map_err(error)?;
    }
    Ok(out)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_lines() -> Vec<Line> {
        [
            "RESULT wide/256 threadpool-core 120.5 ns/request",
            "RATIO wide/256 threadpool-core threadpool-crate 0.9800",
            "RATIO wide/256 threadpool-core rayon-spawn 0.0420",
            "RATIO blocking threadpool-core ideal 1.0700",
            "RATIO fork_join threadpool-core-join rayon-join 12.5",
        ]
        .iter()
        .filter_map(|line| Line::parse(line))
        .collect()
    }

    fn machine() -> Machine {
        Machine {
            date: "2026-12-01".to_owned(),
            cpu: "Test CPU".to_owned(),
            cores: 2,
            load: Some(0.5),
        }
    }

    #[test]
    fn parse_reads_results_and_ratios() {
        let lines = sample_lines();
        assert_eq!(lines.len(), 5);
        assert_eq!(
            find_ratio(&lines, "blocking", "threadpool-core", "ideal"),
            Some(1.07)
        );
        assert_eq!(
            find_result(&lines, "wide/256", "threadpool-core"),
            Some(120.5)
        );
    }

    #[test]
    fn chart_is_dated_and_has_a_bar_and_label_per_ratio() {
        let svg = svg(&sample_lines(), &machine().describe(), "quick run").expect("chart draws");
        assert!(svg.starts_with("<svg"), "not an SVG document");
        assert!(
            svg.contains("2026-12-01, Test CPU on 2 cores"),
            "undated chart"
        );
        for label in [
            "wide/256: threadpool-core / threadpool-crate",
            "wide/256: threadpool-core / rayon-spawn",
            "blocking: threadpool-core / ideal",
            "fork_join: threadpool-core-join / rayon-join",
        ] {
            assert!(svg.contains(label), "no label {label}");
        }
        for value in ["0.980", "0.042", "1.070", "12.5"] {
            assert!(svg.contains(&format!("\n{value}\n")), "no value {value}");
        }
        // Two green bars (<= 1), two red ones (> 1).
        assert_eq!(svg.matches("fill=\"#2E7D32\"").count(), 2, "{svg}");
        assert_eq!(svg.matches("fill=\"#C62828\"").count(), 2, "{svg}");
    }

    #[test]
    fn csv_reads_back_what_it_wrote() {
        let lines = sample_lines();
        let text = csv(&lines, &machine(), "full run");
        let (mode, described, read) = read_csv(&text).expect("reads back");
        assert_eq!(mode, "full run");
        assert_eq!(described, machine().describe());
        assert_eq!(read.len(), lines.len());
        assert_eq!(
            find_ratio(&read, "wide/256", "threadpool-core", "rayon-spawn"),
            Some(0.042)
        );
        assert_eq!(
            find_result(&read, "wide/256", "threadpool-core"),
            Some(120.5)
        );
    }

    #[test]
    fn goals_report_met_and_missed() {
        let goals = goals(&sample_lines());
        assert!(goals.contains("wide/256: <= 1.0 x threadpool crate"));
        assert!(goals.contains("met (0.980 <= 1)"), "{goals}");
        assert!(goals.contains("MISSED (12.500 > 0.5"), "{goals}");
        assert!(goals.contains("met (1.070 <= 1.1)"), "{goals}");
    }
}
