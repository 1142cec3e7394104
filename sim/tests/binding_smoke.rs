use mapdma_sim::verilated::testdesign::{Inputs, Model, Outputs};
use mapdma_verilate::VerilatedModel;

#[test]
fn smoke() {
    let mut m = Model::new();
    let mut i = Inputs::default();
    let mut o = Outputs::default();
    i.set_bus_write(1);
    i.set_bus_addr(2);
    i.set_bus_wdata(0xdead_beef);
    for _ in 0..2 {
        i.set_clock(0);
        m.eval(&i, &mut o);
        i.set_clock(1);
        m.eval(&i, &mut o);
    }
    i.set_bus_write(0);
    i.set_dev_0_enable(1);
    i.set_dev_0_step(3);
    for _ in 0..3 {
        i.set_clock(0);
        m.eval(&i, &mut o);
        i.set_clock(1);
        m.eval(&i, &mut o);
    }
    i.set_clock(0);
    m.eval(&i, &mut o);
    println!("{:?}", o);
    assert_eq!(o.bus_rdata(), 0xdead_beef);
    assert_eq!(o.dev_0_count(), 9);
}
