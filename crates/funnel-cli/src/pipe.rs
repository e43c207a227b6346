//! Printing that survives a closed pipe. `print!`, `println!`, `eprint!` and
//! `eprintln!` are redefined here for the whole crate (this module is
//! declared first in `main.rs`): the standard ones panic with "failed
//! printing to stdout: Broken pipe" when the reader goes away, as in
//! `funnel test playbooks | head -1`. Here a closed stdout ends the process
//! quietly with exit code 0 (nobody is left to read the rest, as `ripgrep`
//! and `fd` do), and a failed write to stderr is ignored.

use std::fmt;
use std::io::{self, Write};

/// Write to stdout; on a closed pipe, exit quietly.
pub fn out(args: fmt::Arguments<'_>) {
    let mut w = io::stdout().lock();
    if let Err(e) = w.write_fmt(args) {
        if e.kind() == io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

/// Write to stderr, ignoring failures (there is nowhere left to report them).
pub fn err(args: fmt::Arguments<'_>) {
    let _ = io::stderr().lock().write_fmt(args);
}

macro_rules! print {
    ($($t:tt)*) => { $crate::pipe::out(format_args!($($t)*)) };
}

macro_rules! println {
    () => { $crate::pipe::out(format_args!("\n")) };
    ($($t:tt)*) => {
        $crate::pipe::out(format_args!("{}\n", format_args!($($t)*)))
    };
}

macro_rules! eprint {
    ($($t:tt)*) => { $crate::pipe::err(format_args!($($t)*)) };
}

macro_rules! eprintln {
    () => { $crate::pipe::err(format_args!("\n")) };
    ($($t:tt)*) => {
        $crate::pipe::err(format_args!("{}\n", format_args!($($t)*)))
    };
}
