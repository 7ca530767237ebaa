//! The whole decision every mode shares: the line analysed, the built-in packs for its
//! programs plus the configuration's packs, severities as the layers set them, stricter in
//! a protected environment, then the allowlist. `check`, shell mode, shims, the shell
//! integration and the agent hooks all decide through [`Policy::verdict`], so a line gets
//! the same answer whichever way it arrives.

use std::path::Path;

use crate::config::{self, Layers, Places};
use crate::decision::{Verdict, decide_with, on_sql_stack};
use crate::environment::Context;
use crate::input::{self, Input};
use crate::parse::Limits;
use crate::rules::{RuleError, builtin};

/// The configuration in effect, ready to decide.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    layers: Layers,
    ctx: Context,
    warnings: Vec<String>,
}

impl Policy {
    /// Read every layer from the real places (`/etc/guardsh`, `~/.config/guardsh`, the
    /// project file above the working directory).
    pub fn load() -> Result<Policy, config::Error> {
        Policy::load_from(&Places::real())
    }

    /// Read every layer from `places`.
    pub fn load_from(places: &Places) -> Result<Policy, config::Error> {
        let layers = config::load_layers(places)?;
        Ok(Policy::from_layers(layers, places.cwd.clone()))
    }

    /// A policy from layers already read, for commands run in `cwd`.
    pub fn from_layers(layers: Layers, cwd: Option<std::path::PathBuf>) -> Policy {
        // Every mode that decides loads its policy first: handing the sinks over here means
        // no decision can be recorded before the organisation's system log is known.
        crate::audit::sink::configure(layers.audit_sinks());
        let ctx = Context::process(layers.protected(), cwd);
        let warnings = layers.warnings.clone();
        Policy {
            layers,
            ctx,
            warnings,
        }
    }

    /// The layers in effect.
    pub fn layers(&self) -> &Layers {
        &self.layers
    }

    /// The real shell the configuration names, if any.
    pub fn shell(&self) -> Option<&Path> {
        self.layers.shell()
    }

    /// What was ignored so far (loosening in a project file, untrusted system files), to
    /// print once; taking them clears the list.
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    /// Decide on a line.
    pub fn verdict(&mut self, text: &Input, limits: &Limits) -> Result<Verdict, RuleError> {
        let line = text.text.clone();
        self.verdict_as_typed(text, &line, limits)
    }

    /// Decide on `text`, which the person typed as `line` (the shell integration judges
    /// fish lines rewritten into bash terms; the allowlist compares what was typed).
    pub fn verdict_as_typed(
        &mut self,
        text: &Input,
        line: &str,
        limits: &Limits,
    ) -> Result<Verdict, RuleError> {
        let script = input::analyze(text, limits);
        let extra = self
            .layers
            .packs
            .iter()
            .map(|p| (p.pack.clone(), p.path.display().to_string()))
            .collect();
        // Loading the rules classifies SQL too (the rules on it load only for destructive
        // or unseen statements), so both run where the classification needs no thread.
        let (layers, warnings, ctx) = (&self.layers, &mut self.warnings, &self.ctx);
        let mut verdict = on_sql_stack(&script, || -> Result<Verdict, RuleError> {
            let readings = crate::payload::readings::Readings::new(&script);
            let mut rules = builtin::for_commands_with(&readings, extra)?;
            for rule in rules.rules_mut() {
                if let Some(s) = layers.severity_for(&rule.id, rule.severity, warnings) {
                    rule.severity = s;
                }
            }
            Ok(decide_with(&readings, &rules, ctx))
        })?;
        self.layers.apply_allow(line, &mut verdict);
        Ok(verdict)
    }
}
