//! Loading what `run` and `explain` replay: the playbook (checked and
//! compiled), the leads and events files, and the `--input` values. Every
//! problem is printed here with the file, line and column and what to do,
//! and turned into the exit code (1 bad input, 2 usage or IO).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use funnel_check::Program;
use funnel_data::compress::{decompress, strip_compression};
use funnel_data::decode::parse_instant;
use funnel_data::map::Mapping;
use funnel_data::{BadRows, Format, Mapped, ReadData};
use funnel_engine::{Compiled, Dataset};

/// `--on-bad-row`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OnBadRow {
    /// Stop at the first bad row with an error naming file, line and column.
    Error,
    /// Skip bad rows and count them per kind in the summary.
    Skip,
}

/// The format of the data files (`--data-format`; default: by extension).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DataFormat {
    Csv,
    Jsonl,
    Yaml,
    /// Segment-spec JSON Lines: `identify` calls (leads), `track` calls (events).
    Segment,
}

/// Data options shared by `run` and `explain`.
#[derive(clap::Args, Debug)]
pub struct DataArgs {
    /// The leads file: one row per lead, an `id` column and the lead fields.
    #[arg(long, value_name = "FILE")]
    pub leads: PathBuf,
    /// The events file: `lead`, `event`, `at` and the events' fields.
    #[arg(long, value_name = "FILE")]
    pub events: PathBuf,
    /// Format of both data files; by default each file's extension decides
    /// (`.csv`, `.jsonl`, `.yaml`/`.yml`, before a `.gz` or `.zst`), and a
    /// JSON Lines file whose first line is a Segment call (`"type":"track"`,
    /// `"identify"`, …) is read as Segment.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub data_format: Option<DataFormat>,
    /// A YAML map from the data's names to the playbook's: event names,
    /// Segment `traits.`/`properties.` paths and CSV columns to fields,
    /// date formats (docs/data.md, "Mapping data as it comes").
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// Event names neither mapped nor declared, Segment calls of another
    /// type and unmapped CSV columns are errors (by default they are
    /// counted and listed in the input summary).
    #[arg(long)]
    pub strict: bool,
    /// What to do with a row that does not match the playbook.
    #[arg(long, value_enum, default_value_t = OnBadRow::Error)]
    pub on_bad_row: OnBadRow,
    /// Replay up to this instant (RFC 3339, or `2026-06-30 17:00` in the
    /// playbook's zone); default: the last event.
    #[arg(long, value_name = "T")]
    pub as_of: Option<String>,
    /// A run-time input, `NAME=VALUE` (repeatable).
    #[arg(long = "input", value_name = "NAME=VALUE")]
    pub inputs: Vec<String>,
}

/// Everything loaded.
pub struct Loaded {
    /// The playbook's text (for coverage, which names source lines).
    pub source: String,
    pub compiled: Compiled,
    pub data: Dataset,
    pub as_of: Option<i64>,
    pub inputs: Vec<funnel_engine::value::Value>,
}

/// The processors this process may use (1 when the system does not say).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// `-` as a path: standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Read a playbook (or any text file); `-` reads standard input.
pub fn read_source(path: &Path) -> std::io::Result<String> {
    if is_stdin(path) {
        let mut s = String::new();
        std::io::stdin().lock().read_to_string(&mut s)?;
        Ok(s)
    } else {
        std::fs::read_to_string(path)
    }
}

/// Read and check a playbook, printing its diagnostics (errors and warnings)
/// to stderr. On success returns the text and the checked program; otherwise
/// the exit code to use: 2 when the file cannot be read, 1 when it has errors.
pub fn load_playbook(path: &Path) -> Result<(String, Program), u8> {
    let text = match read_source(path) {
        Ok(t) => t,
        Err(e) => {
            crate::diag::io_error(path, &e);
            return Err(2);
        }
    };
    let checked = funnel_check::check_source_threads(&text, crate::load::cores());
    let name = path.display().to_string();
    crate::diag::emit(&checked.diagnostics, &name, &text, 1);
    match checked.program {
        Some(p) => Ok((text, p)),
        None => Err(1),
    }
}

fn format_of(path: &Path, given: Option<DataFormat>) -> Result<Format, u8> {
    if given.is_none() && is_stdin(path) {
        return Ok(Format::Csv);
    }
    if let Some(f) = given {
        return Ok(match f {
            DataFormat::Csv => Format::Csv,
            DataFormat::Jsonl => Format::Jsonl,
            DataFormat::Yaml => Format::Yaml,
            DataFormat::Segment => Format::Segment,
        });
    }
    let name = path.display().to_string();
    Format::from_path(strip_compression(&name)).ok_or_else(|| {
        crate::diag::error(
            "funnel::data::unknown_format",
            format!("cannot tell the format of `{name}` from its extension"),
            Some(
                "name it `.csv`, `.jsonl` or `.yaml` (then `.gz` or `.zst` if compressed), or pass `--data-format csv|jsonl|yaml|segment`"
                    .into(),
            ),
        );
        2
    })
}

/// A data file opened, decompressed, and its format: `--data-format`, else
/// the extension, with a JSON Lines file of Segment calls read as Segment.
fn open(path: &Path, given: Option<DataFormat>) -> Result<(Box<dyn Read + Send>, Format), u8> {
    let format = format_of(path, given)?;
    let raw: Box<dyn Read + Send> = if is_stdin(path) {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        let f = File::open(path).map_err(|e| {
            crate::diag::error(
                "funnel::data::unreadable",
                format!(
                    "cannot read `{}`: {}",
                    path.display(),
                    crate::diag::io_reason(&e)
                ),
                Some("check the path; it must name a readable data file".into()),
            );
            2
        })?;
        Box::new(BufReader::new(f))
    };
    let name = path.display().to_string();
    let (mut input, _) = decompress(raw, &name).map_err(|e| {
        crate::diag::data_error(&e, format);
        1
    })?;
    if format != Format::Jsonl || given.is_some() {
        return Ok((input, format));
    }
    // The first line tells a Segment file (read up to 64 KiB for it).
    let mut head = Vec::new();
    let mut take = Read::take(&mut input, 1 << 16);
    loop {
        let mut buf = [0u8; 4096];
        match take.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                head.extend_from_slice(&buf[..n]);
                let first = head.iter().position(|c| !c.is_ascii_whitespace());
                if first.is_some_and(|i| head[i..].contains(&b'\n')) {
                    break;
                }
            }
            Err(e) => {
                crate::diag::error(
                    "funnel::data::unreadable",
                    format!("cannot read `{name}`: {}", crate::diag::io_reason(&e)),
                    Some("check the file: it must be readable and, when compressed, whole".into()),
                );
                return Err(2);
            }
        }
    }
    let format = format.refine(&head);
    Ok((Box::new(std::io::Cursor::new(head).chain(input)), format))
}

/// Read and check `--map` against the playbook.
fn read_map(path: &Path, compiled: &Compiled) -> Result<Mapping, u8> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        crate::diag::error(
            "funnel::data::unreadable",
            format!("cannot read `{name}`: {}", crate::diag::io_reason(&e)),
            Some("`--map` takes a YAML file (docs/data.md, \"The map file\")".into()),
        );
        2
    })?;
    Mapping::parse(&text, &name, compiled).map_err(|e| {
        crate::diag::data_error(&e, Format::Yaml);
        1
    })
}

/// Load the playbook, the data and the inputs, printing any problem.
pub fn load(playbook: &Path, args: &DataArgs) -> Result<Loaded, u8> {
    load_threads(playbook, args, 1, true)
}

/// [`load`], decoding the data files on `threads` threads; without
/// `keep_unread` the values of fields the playbook never reads are checked
/// but not kept (see [`Dataset::keep_unread`]).
pub fn load_threads(
    playbook: &Path,
    args: &DataArgs,
    threads: usize,
    keep_unread: bool,
) -> Result<Loaded, u8> {
    let (source, program) = load_playbook(playbook)?;
    let compiled = funnel_engine::compile(&program, &source);
    let policy = match args.on_bad_row {
        OnBadRow::Error => BadRows::Error,
        OnBadRow::Skip => BadRows::Skip,
    };
    let mut data = Dataset::new(&compiled);
    data.keep_unread = keep_unread;
    let inputs =
        funnel_data::inputs::resolve(&compiled, &args.inputs, &mut data.texts).map_err(|e| {
            crate::diag::error("funnel::input::invalid", e.to_string(), Some(e.help()));
            2
        })?;
    let as_of = match &args.as_of {
        None => None,
        Some(t) => Some(parse_instant(t.trim(), compiled.tz).map_err(|reason| {
            crate::diag::bad_instant("--as-of", &reason);
            2
        })?),
    };
    if is_stdin(&args.leads) && is_stdin(&args.events) {
        crate::diag::error(
            "funnel::cli::stdin_twice",
            "`--leads -` and `--events -` cannot both read standard input",
            Some("give one of them as a file".into()),
        );
        return Err(2);
    }
    let map = match &args.map {
        Some(path) => Some(read_map(path, &compiled)?),
        None => None,
    };
    let mapped = Mapped {
        map: map.as_ref(),
        strict: args.strict,
    };
    let (leads, lf) = open(&args.leads, args.data_format)?;
    let leads_name = args.leads.display().to_string();
    let links = data
        .read_leads_mapped(&compiled, leads, &leads_name, lf, policy, threads, mapped)
        .map_err(|e| {
            crate::diag::data_error(&e, lf);
            swapped_hint(args);
            1
        })?;
    let (events, ef) = open(&args.events, args.data_format)?;
    let events_name = args.events.display().to_string();
    data.read_events_mapped(
        &compiled,
        events,
        &events_name,
        ef,
        policy,
        threads,
        mapped,
        &links,
    )
    .map_err(|e| {
        crate::diag::data_error(&e, ef);
        swapped_hint(args);
        1
    })?;
    Ok(Loaded {
        source,
        compiled,
        data,
        as_of,
        inputs,
    })
}

/// After a data error: when the file names suggest `--leads` and `--events`
/// were given the wrong way round, say so.
fn swapped_hint(args: &DataArgs) {
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default()
    };
    let (l, e) = (name(&args.leads), name(&args.events));
    if l.contains("event") || (e.contains("lead") && !e.contains("event")) {
        crate::diag::note("hint", &format!(
            "`--leads {}` and `--events {}` look swapped: `--leads` takes the file with one row per lead, `--events` the one with `lead`, `event` and `at` columns",
            args.leads.display(),
            args.events.display()
        ));
    }
}
