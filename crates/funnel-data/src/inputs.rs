//! Run-time inputs (`input marketing_spend: money`), given on the command
//! line as `NAME=VALUE` and decoded by their declared type.

use crate::decode::decode;
use funnel_engine::compile::Compiled;
use funnel_engine::value::{Interner, Value};

/// A problem with the given inputs.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("`{0}` is not NAME=VALUE")]
    Malformed(String),
    #[error("unknown input `{name}`")]
    Unknown { name: String, declared: Vec<String> },
    #[error("bad value for input `{name}`: {reason}")]
    BadValue { name: String, reason: String },
    #[error("missing input `{name}` ({ty})")]
    Missing { name: String, ty: String },
}

impl InputError {
    /// What to do about it.
    pub fn help(&self) -> String {
        match self {
            InputError::Malformed(_) => {
                "write `--input NAME=VALUE`, e.g. `--input marketing_spend=100000`".into()
            }
            InputError::Unknown { declared, .. } if declared.is_empty() => {
                "the playbook declares no inputs".into()
            }
            InputError::Unknown { declared, .. } => {
                format!("the playbook declares: {}", declared.join(", "))
            }
            InputError::BadValue { .. } => "give a value of the input's declared type".into(),
            InputError::Missing { name, .. } => {
                format!("pass `--input {name}=VALUE`, or give the input a default in the playbook")
            }
        }
    }
}

/// Decode `NAME=VALUE` pairs into one value per declared input (defaults
/// fill the rest). Every declared input without a default must be given.
pub fn resolve(
    c: &Compiled,
    given: &[String],
    texts: &mut Interner,
) -> Result<Vec<Value>, InputError> {
    let mut vals: Vec<Option<Value>> = c.inputs.iter().map(|i| i.default).collect();
    for g in given {
        let Some((name, value)) = g.split_once('=') else {
            return Err(InputError::Malformed(g.clone()));
        };
        let name = name.trim();
        let Some(i) = c.inputs.iter().position(|x| x.name == name) else {
            return Err(InputError::Unknown {
                name: name.to_string(),
                declared: c.inputs.iter().map(|x| x.name.clone()).collect(),
            });
        };
        let v = decode(value.trim(), &c.inputs[i].ty.ty, c.tz, texts).map_err(|reason| {
            InputError::BadValue {
                name: name.to_string(),
                reason,
            }
        })?;
        vals[i] = Some(v);
    }
    c.inputs
        .iter()
        .zip(vals)
        .map(|(def, v)| match v {
            Some(v) => Ok(v),
            None if def.ty.optional => Ok(Value::Missing),
            None => Err(InputError::Missing {
                name: def.name.clone(),
                ty: def.ty.ty.to_string(),
            }),
        })
        .collect()
}
