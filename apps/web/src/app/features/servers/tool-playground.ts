import { ChangeDetectionStrategy, Component, DestroyRef, ElementRef, Injector, afterNextRender, computed, inject, input, linkedSignal, model, signal } from '@angular/core';
import type { Subscription } from 'rxjs';
import { problemMessage } from '../../core/problem';
import { argumentsOf, type FieldValue, type FormField, formOf, initialValues, optionLabel, parseRawArguments, valuesOf } from './schema-form';
import { formatElapsed } from '../../core/format';
import { annotationWords, type ToolInfo, type ToolResult } from './servers.model';
import { ServersService } from './servers.service';

/** A call's outcome: the tool's result (an `isError` one included), or why the gateway refused or failed it. */
type Outcome = { readonly kind: 'result'; readonly result: ToolResult; readonly elapsedMs: number } | { readonly kind: 'failed'; readonly message: string; readonly elapsedMs: number };

/**
 * Calls one tool by hand: a form made from its input schema (or the arguments as raw JSON), the
 * required fields checked before anything is sent, and the result as text, as formatted JSON
 * (structured content), or as the error the tool or the gateway reported, with the time it took.
 */
@Component({
  selector: 'app-tool-playground',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './tool-playground.html',
  styleUrl: './tool-playground.css',
})
export class ToolPlayground {
  private readonly api = inject(ServersService);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private readonly injector = inject(Injector);
  private call?: Subscription;

  /** The tools to choose from. */
  readonly tools = input.required<readonly ToolInfo[]>();
  /** The chosen tool's qualified name (`server__tool`); '' for none. */
  readonly chosen = model('');

  protected readonly groups = computed(() => {
    const byServer = new Map<string, ToolInfo[]>();
    for (const tool of this.tools()) byServer.set(tool.server, [...(byServer.get(tool.server) ?? []), tool]);
    return [...byServer].map(([server, tools]) => ({ server, tools }));
  });
  protected readonly tool = computed(() => this.tools().find((tool) => tool.qualifiedName === this.chosen()));
  protected readonly fields = computed<readonly FormField[]>(() => {
    const tool = this.tool();
    return tool ? formOf(tool.inputSchema) : [];
  });
  protected readonly values = linkedSignal(() => initialValues(this.fields()));
  protected readonly errors = linkedSignal<readonly FormField[], Readonly<Record<string, string>>>({ source: this.fields, computation: () => ({}) });
  protected readonly raw = linkedSignal({ source: this.fields, computation: () => false });
  protected readonly rawText = signal('');
  protected readonly rawError = signal('');
  protected readonly formNotice = signal('');
  protected readonly running = signal(false);
  protected readonly outcome = linkedSignal<ToolInfo | undefined, Outcome | null>({ source: this.tool, computation: () => null });

  /** For tests and styles: `ok`, `tool-error` (an `isError` result) or `failed` (no result). */
  protected readonly outcomeKind = computed(() => {
    const outcome = this.outcome();
    if (!outcome) return null;
    return outcome.kind === 'failed' ? 'failed' : outcome.result.isError ? 'tool-error' : 'ok';
  });

  protected readonly annotationWords = annotationWords;
  protected readonly optionLabel = optionLabel;
  protected readonly elapsed = formatElapsed;

  constructor() {
    inject(DestroyRef).onDestroy(() => this.call?.unsubscribe());
  }

  /** Puts the keyboard on the tool's choice (after "Try it" elsewhere on the page). */
  focus(): void {
    afterNextRender(() => this.host.nativeElement.querySelector<HTMLSelectElement>('#pg-tool')?.focus(), { injector: this.injector });
  }

  protected choose(event: Event): void {
    this.chosen.set((event.target as HTMLSelectElement).value);
  }

  protected set(field: FormField, value: FieldValue): void {
    this.values.update((values) => ({ ...values, [field.name]: value }));
    if (this.errors()[field.name]) this.errors.update(({ [field.name]: _, ...rest }) => rest);
  }

  protected text(event: Event): string {
    return (event.target as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement).value;
  }

  protected ticked(event: Event): boolean {
    return (event.target as HTMLInputElement).checked;
  }

  protected describedBy(index: number, field: FormField): string | null {
    const ids = [field.description ? `pg-f${index}-hint` : '', this.errors()[field.name] ? `pg-f${index}-error` : ''].filter(Boolean);
    return ids.length ? ids.join(' ') : null;
  }

  /** Switches between the form and the raw JSON, carrying the arguments across. */
  protected toggleRaw(): void {
    this.formNotice.set('');
    if (!this.raw()) {
      this.rawText.set(JSON.stringify(argumentsOf(this.fields(), this.values()).arguments, null, 2));
      this.rawError.set('');
      this.raw.set(true);
      return;
    }
    const parsed = parseRawArguments(this.rawText(), []);
    if ('error' in parsed) {
      this.rawError.set(`${parsed.error} Fix it, or empty the box, to go back to the form.`);
      return;
    }
    const { values, dropped } = valuesOf(this.fields(), parsed.arguments);
    this.values.set(values);
    this.errors.set({});
    if (dropped.length) this.formNotice.set(`The form has no field for ${dropped.join(', ')}: left out.`);
    this.raw.set(false);
  }

  protected run(event: Event): void {
    event.preventDefault();
    const tool = this.tool();
    if (!tool || this.running()) return;
    let args: Record<string, unknown>;
    if (this.raw()) {
      const parsed = parseRawArguments(this.rawText(), this.fields());
      if ('error' in parsed) {
        this.rawError.set(parsed.error);
        this.focusFirstInvalid();
        return;
      }
      this.rawError.set('');
      args = parsed.arguments;
    } else {
      const { arguments: fromForm, errors } = argumentsOf(this.fields(), this.values());
      this.errors.set(errors);
      if (Object.keys(errors).length) {
        this.focusFirstInvalid();
        return;
      }
      args = fromForm;
    }
    this.running.set(true);
    const started = performance.now();
    const elapsedMs = () => performance.now() - started;
    this.call = this.api.call(tool.qualifiedName, args).subscribe({
      next: (result) => this.outcome.set({ kind: 'result', result, elapsedMs: elapsedMs() }),
      error: (error: unknown) => {
        this.outcome.set({ kind: 'failed', message: problemMessage(error), elapsedMs: elapsedMs() });
        this.running.set(false);
      },
      complete: () => this.running.set(false),
    });
  }

  /** Stops waiting; the gateway then cancels the call on the MCP server. */
  protected cancel(): void {
    this.call?.unsubscribe();
    this.running.set(false);
  }

  protected contentText(item: Readonly<Record<string, unknown>>): string | null {
    return item['type'] === 'text' && typeof item['text'] === 'string' ? item['text'] : null;
  }

  /** A content item that is not text, in words (an image, a resource) or as JSON. */
  protected contentOther(item: Readonly<Record<string, unknown>>): string {
    const type = item['type'];
    if (type === 'image' || type === 'audio') return `An ${type} (${String(item['mimeType'] ?? 'unknown type')}), not shown here.`;
    if (type === 'resource_link') return `A link to the resource ${String(item['uri'] ?? '')}.`;
    if (type === 'resource' && typeof item['resource'] === 'object' && item['resource'] !== null) {
      const resource = item['resource'] as Record<string, unknown>;
      return typeof resource['text'] === 'string' ? resource['text'] : `The resource ${String(resource['uri'] ?? '')}.`;
    }
    return this.json(item);
  }

  protected json(value: unknown): string {
    return JSON.stringify(value, null, 2);
  }

  private focusFirstInvalid(): void {
    afterNextRender(() => this.host.nativeElement.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), { injector: this.injector });
  }
}
