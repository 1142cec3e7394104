//! The Verilator engine: a generated model behind [`mapdma_verilate::VerilatedModel`]. A whole
//! clock is one call into the shim ([`Engine::clock`]).

use super::{check_words, Engine, EngineError, PortSpec, PortTable};
use mapdma_verilate::{VerilatedModel, Words};
use std::path::Path;

/// Runs a Verilated model.
pub struct VerilatorEngine<M: VerilatedModel> {
    model: M,
    inputs: M::Inputs,
    outputs: M::Outputs,
    ports: PortTable,
}

impl<M: VerilatedModel> VerilatorEngine<M> {
    pub fn new(model: M) -> Self {
        let spec = |p: &mapdma_verilate::PortInfo| PortSpec {
            name: p.name.to_string(),
            width: p.width,
        };
        VerilatorEngine {
            model,
            inputs: Default::default(),
            outputs: Default::default(),
            ports: PortTable {
                inputs: M::INPUTS.iter().map(spec).collect(),
                outputs: M::OUTPUTS.iter().map(spec).collect(),
            },
        }
    }

    pub fn model(&mut self) -> &mut M {
        &mut self.model
    }
}

impl<M: VerilatedModel> Engine for VerilatorEngine<M> {
    fn name(&self) -> &'static str {
        "verilator"
    }

    fn ports(&self) -> &PortTable {
        &self.ports
    }

    fn eval(&mut self, inputs: &[u32], outputs: &mut [u32]) -> Result<(), EngineError> {
        check_words(&self.ports, inputs, outputs)?;
        self.inputs.words_mut().copy_from_slice(inputs);
        self.model.eval(&self.inputs, &mut self.outputs);
        outputs.copy_from_slice(self.outputs.words());
        Ok(())
    }

    fn clock(
        &mut self,
        inputs: &mut [u32],
        clock: usize,
        low: &mut [u32],
        high: Option<&mut [u32]>,
        time_ps: u64,
        half_ps: u64,
    ) -> Result<(), EngineError> {
        check_words(&self.ports, inputs, low)?;
        if let Some(h) = &high {
            check_words(&self.ports, inputs, h)?;
        }
        if clock != M::CLOCK {
            return Err(EngineError::UnknownPort(format!(
                "input {clock} as the clock (the model's clock is input {})",
                M::CLOCK
            )));
        }
        self.model.clock(inputs, low, high, time_ps, half_ps);
        // The words say what the model saw last: the clock high.
        inputs[clock] = 1;
        Ok(())
    }

    fn trace_open(&mut self, path: &Path) -> Result<(), EngineError> {
        self.model
            .trace_open(path)
            .map_err(|e| EngineError::Trace(e.to_string()))
    }

    fn trace_dump(&mut self, time_ps: u64) -> Result<(), EngineError> {
        self.model.trace_dump(time_ps);
        Ok(())
    }

    fn trace_close(&mut self) -> Result<(), EngineError> {
        self.model.trace_close();
        Ok(())
    }

    fn tracing(&self) -> bool {
        self.model.tracing()
    }
}
