// The subscriber probe: verification cases, the Probe runner, its report and progress display.
export * from './cases.ts';
export * from './probe.ts';
