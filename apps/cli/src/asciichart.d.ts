// asciichart ships no types; this is the part of its API the CLI uses.
declare module 'asciichart' {
  export interface PlotConfig {
    height?: number;
    min?: number;
    max?: number;
    colors?: string[];
    format?: (x: number, i: number) => string;
    offset?: number;
    padding?: string;
  }
  export function plot(series: number[] | number[][], config?: PlotConfig): string;
  export const black: string;
  export const red: string;
  export const green: string;
  export const yellow: string;
  export const blue: string;
  export const magenta: string;
  export const cyan: string;
  export const lightgray: string;
  export const reset: string;
  export const defaultColor: string;
}
