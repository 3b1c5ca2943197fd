import { ChangeDetectionStrategy, Component, DestroyRef, ElementRef, computed, effect, inject, input, signal, viewChild } from '@angular/core';
import { download } from './result-table';

/** What the chart needs of a rendered Vega view. */
interface RenderedView {
  toImageURL(type: 'png' | 'svg', scale?: number): Promise<string>;
  finalize(): void;
}

/**
 * A Vega-Lite chart, rendered interactively (tooltips) with vega-embed, loaded only when a chart
 * is shown. Expressions run in vega's interpreter, not through `new Function`, so the chart works
 * under the gateway's Content-Security-Policy. Downloads as PNG or SVG.
 */
@Component({
  selector: 'app-vega-chart',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <figure class="chart">
      <div #target class="target" data-testid="chart" role="img" [attr.aria-label]="title() || 'Chart'"></div>
      @if (problem(); as problem) {
        <p class="form-error" role="alert">The chart could not be drawn: {{ problem }}</p>
      }
      <div class="actions">
        <button type="button" (click)="save('png')" [disabled]="!ready()">Download PNG</button>
        <button type="button" (click)="save('svg')" [disabled]="!ready()">Download SVG</button>
      </div>
    </figure>
  `,
  styles: `
    .chart { margin: 0; }
    .target { inline-size: 100%; box-sizing: border-box; overflow-x: auto; background: #fff; border-radius: 0.4rem; padding: 0.5rem; min-block-size: 4rem; }
    .actions { display: flex; gap: 0.5rem; margin-block-start: 0.4rem; }
  `,
})
export class VegaChartComponent {
  readonly spec = input.required<Record<string, unknown>>();
  readonly title = input<string | undefined>(undefined);

  private readonly target = viewChild.required<ElementRef<HTMLElement>>('target');
  private view: RenderedView | null = null;
  protected readonly ready = signal(false);
  protected readonly problem = signal<string | null>(null);

  constructor() {
    // A saved answer replaces a streamed one with an equal spec: drawn once, not again.
    const spec = computed(() => JSON.stringify(this.spec()));
    effect(() => void this.render(JSON.parse(spec()) as Record<string, unknown>, this.target().nativeElement));
    inject(DestroyRef).onDestroy(() => this.view?.finalize());
  }

  private async render(spec: Record<string, unknown>, element: HTMLElement): Promise<void> {
    try {
      const [{ default: embed }, { expressionInterpreter }] = await Promise.all([import('vega-embed'), import('vega-interpreter')]);
      this.view?.finalize();
      // As wide as the answer (axes and legend included), unless the spec sets a width or lays out several views.
      const fits = element.clientWidth > 0 && !['width', 'facet', 'hconcat', 'vconcat', 'concat', 'repeat'].some((key) => key in spec);
      const sized = fits ? { ...spec, width: Math.min(900, element.clientWidth - 16), autosize: { type: 'fit-x', contains: 'padding' } } : spec;
      const result = await embed(element, sized as Parameters<typeof embed>[1], { actions: false, renderer: 'svg', ast: true, expr: expressionInterpreter });
      this.view = result.view;
      this.ready.set(true);
      this.problem.set(null);
    } catch (error) {
      this.problem.set(error instanceof Error ? error.message : String(error));
    }
  }

  protected async save(type: 'png' | 'svg'): Promise<void> {
    if (!this.view) return;
    const url = await this.view.toImageURL(type, type === 'png' ? 2 : 1);
    download(`${(this.title() || 'chart').replace(/[^\w.-]+/g, '-')}.${type}`, url);
  }
}
