import { Component, type ErrorInfo, type ReactNode } from 'react';

/** Props of {@link PanelBoundary}. */
export interface PanelBoundaryProps {
  /** The panel's name as the user sees it ("Search", "Models"); the root boundary says "studio". */
  name: string;
  children: ReactNode;
  /** Resets the panel's own state before it is drawn again (optional). */
  onReset?: () => void;
}

interface PanelBoundaryState {
  error: Error | null;
  /** Bumped on reset so the panel's subtree mounts afresh. */
  generation: number;
}

/** The one line the console gets for a panel's failure. */
function panelErrorLine(name: string, error: Error): string {
  return `The ${name} panel failed: ${error.name}: ${error.message}`;
}

/**
 * Keeps one panel's failure inside that panel: it shows what went wrong and a button that draws
 * the panel again from scratch, while the rest of the page keeps working. The error is logged
 * once, here (the root is created with React's own logging of caught errors turned off).
 */
export class PanelBoundary extends Component<PanelBoundaryProps, PanelBoundaryState> {
  override state: PanelBoundaryState = { error: null, generation: 0 };

  static getDerivedStateFromError(error: unknown): Partial<PanelBoundaryState> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(panelErrorLine(this.props.name, error), info.componentStack ?? '');
  }

  private readonly reset = (): void => {
    this.props.onReset?.();
    this.setState((state) => ({ error: null, generation: state.generation + 1 }));
  };

  override render(): ReactNode {
    const { error, generation } = this.state;
    if (error === null) return <PanelGeneration key={generation}>{this.props.children}</PanelGeneration>;
    return (
      <section className="panel panel-failed" role="alert" data-testid="panel-error" data-panel={this.props.name}>
        <h2>The {this.props.name} panel stopped</h2>
        <p>
          It failed with <code>{error.message || error.name}</code>. The rest of the studio still works.
        </p>
        <button type="button" data-testid="panel-reset" onClick={this.reset}>
          Reset this panel
        </button>
      </section>
    );
  }
}

/** A keyed wrapper, so that a new generation remounts the panel with fresh state. */
function PanelGeneration({ children }: { children: ReactNode }) {
  return <>{children}</>;
}
