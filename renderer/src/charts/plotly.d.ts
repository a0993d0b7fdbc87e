// plotly.js-strict-dist-min is plotly's CSP-safe bundle (no eval / new Function at run time, which
// the renderer's CSP forbids). It has no type declarations of its own.
declare module 'plotly.js-strict-dist-min' {
  import type { PlotlyStatic } from './plotly-api.ts';
  const Plotly: PlotlyStatic;
  export default Plotly;
}
