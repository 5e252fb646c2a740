import { describe, expect, it } from 'vitest';
import { CallBudget, processCpuMs } from './CallBudget.js';

describe('CallBudget', () => {
  it('on the wall alone, is spent once the wall passes the deadline', () => {
    let wall = 1_000;
    const budget = new CallBudget(50, { wall: () => wall });
    budget.begin();
    wall += 50;
    expect(budget.spent()).toBe(false);
    wall += 1;
    expect(budget.spent()).toBe(true);
    expect(() => budget.check()).toThrow('past its budget');
  });

  it('with a CPU clock, does not count time the process spent descheduled', () => {
    let wall = 0;
    let cpu = 0;
    const budget = new CallBudget(50, { wall: () => wall, cpu: () => cpu });
    budget.begin();
    // Waiting 200 ms for the CPU while running 10 ms of its own: within the budget.
    wall += 210;
    cpu += 10;
    expect(budget.spent()).toBe(false);
    expect(budget.elapsed()).toBe(10);
    // Running on: both clocks pass the budget.
    wall += 45;
    cpu += 45;
    expect(budget.spent()).toBe(true);
    expect(budget.elapsed()).toBe(55);
  });

  it('with a CPU clock, still goes by the wall when the process is busier than the call (its other threads)', () => {
    let wall = 0;
    let cpu = 0;
    const budget = new CallBudget(50, { wall: () => wall, cpu: () => cpu });
    budget.begin();
    wall += 20;
    cpu += 90;
    expect(budget.spent()).toBe(false);
    expect(budget.elapsed()).toBe(20);
  });

  it('starts each call afresh', () => {
    let wall = 0;
    let cpu = 0;
    const budget = new CallBudget(50, { wall: () => wall, cpu: () => cpu });
    budget.begin();
    wall += 60;
    cpu += 60;
    expect(budget.spent()).toBe(true);
    budget.begin();
    expect(budget.spent()).toBe(false);
  });

  it("reads this process's CPU time, which a busy loop advances", () => {
    const before = processCpuMs();
    const giveUp = Date.now() + 10_000;
    while (processCpuMs() - before <= 5 && Date.now() < giveUp);
    expect(processCpuMs() - before).toBeGreaterThan(5);
  });
});
