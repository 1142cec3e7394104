//! Whether a model's rising edge may skip Verilator's input-driven (`ico`) pass.
//!
//! Verilator 5.006's `eval()` always runs the input-combinational region once, then the
//! active/NBA loop. On the rising edge only the clock has changed since the previous `eval()`
//! (which settled everything), so when the ico logic does not read the clock that pass only
//! recomputes what it already holds: about a third of the model's time per clock. The shim can
//! run the NBA loop alone, but only if the generated `_eval` is exactly the shape that loop was
//! copied from. This module checks that on the generated C++ text, so a different Verilator
//! version (or a design whose ico logic reads the clock) falls back to `eval()`.

/// The generated `_eval` of Verilator 5.006, normalised by [`normalise`]: `P` for the class,
/// `N` for the trigger-vector width, the `VL_FATAL_MT` lines (they name the source file) gone.
const EVAL_5_006: &str = r#"void P___024root___eval(P___024root* vlSelf) {
    if (false && vlSelf) {}  // Prevent unused
    P__Syms* const __restrict vlSymsp VL_ATTR_UNUSED = vlSelf->vlSymsp;
    VL_DEBUG_IF(VL_DBG_MSGF("+    P___024root___eval\n"); );
    // Init
    CData/*0:0*/ __VicoContinue;
    VlTriggerVec<N> __VpreTriggered;
    IData/*31:0*/ __VnbaIterCount;
    CData/*0:0*/ __VnbaContinue;
    // Body
    vlSelf->__VicoIterCount = 0U;
    __VicoContinue = 1U;
    while (__VicoContinue) {
        __VicoContinue = 0U;
        P___024root___eval_triggers__ico(vlSelf);
        if (vlSelf->__VicoTriggered.any()) {
            __VicoContinue = 1U;
            if (VL_UNLIKELY((0x64U < vlSelf->__VicoIterCount))) {
#ifdef VL_DEBUG
                P___024root___dump_triggers__ico(vlSelf);
#endif
            }
            vlSelf->__VicoIterCount = ((IData)(1U) 
                                       + vlSelf->__VicoIterCount);
            P___024root___eval_ico(vlSelf);
        }
    }
    __VnbaIterCount = 0U;
    __VnbaContinue = 1U;
    while (__VnbaContinue) {
        __VnbaContinue = 0U;
        vlSelf->__VnbaTriggered.clear();
        vlSelf->__VactIterCount = 0U;
        vlSelf->__VactContinue = 1U;
        while (vlSelf->__VactContinue) {
            vlSelf->__VactContinue = 0U;
            P___024root___eval_triggers__act(vlSelf);
            if (vlSelf->__VactTriggered.any()) {
                vlSelf->__VactContinue = 1U;
                if (VL_UNLIKELY((0x64U < vlSelf->__VactIterCount))) {
#ifdef VL_DEBUG
                    P___024root___dump_triggers__act(vlSelf);
#endif
                }
                vlSelf->__VactIterCount = ((IData)(1U) 
                                           + vlSelf->__VactIterCount);
                __VpreTriggered.andNot(vlSelf->__VactTriggered, vlSelf->__VnbaTriggered);
                vlSelf->__VnbaTriggered.set(vlSelf->__VactTriggered);
                P___024root___eval_act(vlSelf);
            }
        }
        if (vlSelf->__VnbaTriggered.any()) {
            __VnbaContinue = 1U;
            if (VL_UNLIKELY((0x64U < __VnbaIterCount))) {
#ifdef VL_DEBUG
                P___024root___dump_triggers__nba(vlSelf);
#endif
            }
            __VnbaIterCount = ((IData)(1U) + __VnbaIterCount);
            P___024root___eval_nba(vlSelf);
        }
    }
}
"#;

/// The text [`EVAL_5_006`] is compared with: the class name replaced by `P`, trigger-vector
/// widths by `N`, `VL_FATAL_MT` lines dropped.
pub fn normalise(function: &str, class: &str) -> String {
    let mut out = String::with_capacity(function.len());
    for line in function.lines() {
        if line.contains("VL_FATAL_MT(") {
            continue;
        }
        let mut line = line.replace(class, "P");
        while let Some(i) = line.find("VlTriggerVec<") {
            let rest = &line[i + "VlTriggerVec<".len()..];
            let Some(end) = rest.find('>') else { break };
            line = format!("{}VlTriggerVec#N{}", &line[..i], &rest[end..]);
        }
        out.push_str(&line.replace("VlTriggerVec#N", "VlTriggerVec<N"));
        out.push('\n');
    }
    out
}

/// The definition of `{class}___024root___{name}` (signature line to closing brace) in `sources`.
pub fn function<'a>(sources: &'a [String], class: &str, name: &str) -> Option<&'a str> {
    let sig = format!("{class}___024root___{name}({class}___024root* vlSelf) {{");
    sources.iter().find_map(|s| {
        let start = s
            .match_indices(&sig)
            .map(|(i, _)| s[..i].rfind('\n').map_or(0, |n| n + 1))
            .next()?;
        let end = s[start..].find("\n}\n")? + start + 3;
        Some(&s[start..end])
    })
}

/// Names of every function of the root class whose name contains `ico`.
fn ico_functions(sources: &[String], class: &str) -> Vec<String> {
    let root = format!("{class}___024root___");
    let mut names = vec![];
    for s in sources {
        for line in s.lines() {
            if line.starts_with(' ') || !line.ends_with(") {") {
                continue;
            }
            let Some(i) = line.find(&root) else { continue };
            let name = &line[i + root.len()..];
            let name = &name[..name.find('(').unwrap_or(name.len())];
            if name.contains("ico") && !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
    }
    names
}

/// `Ok` when the shortcut is safe for this build; otherwise why not. `sources` are the texts of
/// the generated per-cycle C++ files, `clock` the clock's C++ member name.
pub fn check(sources: &[String], class: &str, clock: &str) -> Result<(), String> {
    let eval = function(sources, class, "eval").ok_or("no `_eval` function found")?;
    if normalise(eval, class) != EVAL_5_006 {
        return Err("`_eval` is not the Verilator 5.006 shape the shortcut was written for".into());
    }
    for needed in ["eval_triggers__act", "eval_act", "eval_nba"] {
        if function(sources, class, needed).is_none() {
            return Err(format!("no external `_{needed}` function"));
        }
    }
    let names = ico_functions(sources, class);
    if names.is_empty() {
        return Err("no input-driven functions found".into());
    }
    let member = format!("vlSelf->{clock}");
    for name in &names {
        let body = function(sources, class, name).unwrap_or_default();
        let reads_clock = body.match_indices(&member).any(|(i, _)| {
            !body[i + member.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        });
        if reads_clock {
            return Err(format!("the input-driven `_{name}` reads the clock"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A generated file as Verilator 5.006 writes it for class `Vx` (trimmed to what matters).
    fn sources(eval: &str, ico_body: &str) -> Vec<String> {
        vec![format!(
            "VL_INLINE_OPT void Vx___024root___ico_sequent__TOP__0(Vx___024root* vlSelf) {{\n{ico_body}}}\n\n\
             void Vx___024root___eval_triggers__act(Vx___024root* vlSelf) {{\n    vlSelf->clock_prev = vlSelf->clock;\n}}\n\n\
             void Vx___024root___eval_act(Vx___024root* vlSelf) {{\n}}\n\n\
             void Vx___024root___eval_nba(Vx___024root* vlSelf) {{\n}}\n\n{eval}"
        )]
    }

    fn generated_eval() -> String {
        // Undo the normalisation the way Verilator spells things.
        EVAL_5_006
            .replace("P___024root", "Vx___024root")
            .replace("P__Syms", "Vx__Syms")
            .replace("VlTriggerVec<N>", "VlTriggerVec<3>")
    }

    #[test]
    fn the_5_006_shape_is_recognised_and_anything_else_refused() {
        let good = sources(&generated_eval(), "    vlSelf->x = vlSelf->in;\n");
        assert_eq!(check(&good, "Vx", "clock"), Ok(()));
        let changed = generated_eval().replace("__VnbaIterCount = 0U;", "__VnbaIterCount = 1U;");
        let bad = sources(&changed, "");
        assert!(check(&bad, "Vx", "clock").unwrap_err().contains("shape"));
    }

    #[test]
    fn ico_logic_reading_the_clock_disables_the_shortcut() {
        let reads = sources(&generated_eval(), "    vlSelf->x = vlSelf->clock;\n");
        let e = check(&reads, "Vx", "clock").unwrap_err();
        assert!(e.contains("ico_sequent__TOP__0"), "{e}");
        let other = sources(&generated_eval(), "    vlSelf->x = vlSelf->clock_en;\n");
        assert_eq!(
            check(&other, "Vx", "clock"),
            Ok(()),
            "a longer name is not the clock"
        );
    }
}
