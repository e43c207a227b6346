//! The playbook in force: its text, its `--input` values and the compiled
//! program, with a digest that tells whether the playbook given to
//! `funnel serve`/`funnel ingest` is the one the state file was built with.

use funnel_engine::value::{Interner, Value};
use funnel_engine::Compiled;

use crate::error::{LiveError, Result};

/// A checked, compiled playbook and its inputs.
pub struct Playbook {
    pub source: String,
    pub compiled: Compiled,
    /// `NAME=VALUE`, as given.
    pub inputs: Vec<String>,
    /// Digest of the text and the inputs.
    pub digest: String,
}

impl Playbook {
    /// Check and compile `source`; the caller has shown the diagnostics of a
    /// playbook that does not check (this error only says so).
    pub fn new(source: &str, inputs: &[String]) -> Result<Playbook> {
        let checked = funnel_check::check_source(source);
        let Some(program) = checked.program else {
            return Err(LiveError::new("the playbook has errors")
                .help("run `funnel check` on it and fix what it reports"));
        };
        let compiled = funnel_engine::compile(&program, source);
        let mut inputs = inputs.to_vec();
        inputs.sort();
        let mut parts: Vec<&str> = vec![source];
        parts.extend(inputs.iter().map(String::as_str));
        let digest = digest(&parts);
        let pb = Playbook {
            source: source.to_string(),
            compiled,
            inputs,
            digest,
        };
        pb.input_values(&mut Interner::new())?;
        Ok(pb)
    }

    /// The inputs decoded, text interned in `texts`.
    pub fn input_values(&self, texts: &mut Interner) -> Result<Vec<Value>> {
        funnel_data::inputs::resolve(&self.compiled, &self.inputs, texts)
            .map_err(|e| LiveError::new(e.to_string()).help(e.help()))
    }
}

fn digest(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    crate::keys::hex(&h.finalize()[..16])
}
