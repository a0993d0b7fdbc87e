// The MLflow search box. Applied on Enter; a rejected filter keeps the table as it was and shows
// the message with the offending part of the text marked (ApiCallError position/length).
import { useEffect, useRef, useState } from 'react';
import { applyFilter, currentScope } from '../../state/runs-loader.ts';
import { scopeSettingsFor } from '../../state/scope-settings-slice.ts';
import { useApp } from '../../state/store.ts';

const EXAMPLES = [
  "metrics.rmse < 0.5 and params.model = 'rf'",
  "attributes.status = 'FINISHED'",
  "tags.`mlflow.runName` LIKE 'lr-%'",
];

export function FilterBox() {
  const applied = useApp((s) => scopeSettingsFor(s, currentScope(s)).filter);
  const scope = useApp((s) => currentScope(s));
  const error = useApp((s) => s.filterError);
  const [text, setText] = useState(applied);
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const mirrorRef = useRef<HTMLDivElement>(null);

  // A different experiment selection has its own remembered filter.
  useEffect(() => setText(applied), [applied, scope]);

  const submit = async (value: string) => {
    setBusy(true);
    try {
      await applyFilter(value);
    } finally {
      setBusy(false);
    }
  };

  const errorForText = error && error.text === text ? error : null;
  const mark =
    errorForText && errorForText.position !== null
      ? { start: errorForText.position, end: errorForText.position + Math.max(1, errorForText.length ?? 1) }
      : null;
  const dirty = text.trim() !== applied.trim();

  return (
    <div className="filter">
      <div className={`filter-box${errorForText ? ' invalid' : ''}${dirty ? ' dirty' : ''}`}>
        <span className="filter-icon" aria-hidden="true">
          ⌕
        </span>
        <div className="filter-field">
          {/* The mirror draws the error mark under the (transparent-backed) input's text. */}
          <div className="filter-mirror mono" ref={mirrorRef} aria-hidden="true">
            {mark ? (
              <>
                {text.slice(0, mark.start)}
                <mark className="filter-mark">{text.slice(mark.start, mark.end) || ' '}</mark>
                {text.slice(mark.end)}
              </>
            ) : (
              text
            )}
          </div>
          <input
            ref={inputRef}
            className="filter-input mono"
            value={text}
            placeholder={`Filter runs: ${EXAMPLES[0]}`}
            spellCheck={false}
            autoComplete="off"
            aria-label="Filter runs (MLflow search syntax); Enter to apply"
            aria-invalid={!!errorForText}
            aria-describedby={errorForText ? 'filter-error' : undefined}
            onChange={(e) => setText(e.target.value)}
            onScroll={(e) => {
              if (mirrorRef.current) mirrorRef.current.scrollLeft = e.currentTarget.scrollLeft;
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                void submit(text);
              } else if (e.key === 'Escape') {
                setText(applied);
                useApp.setState({ filterError: null });
              }
            }}
            data-testid="filter-input"
          />
        </div>
        {busy ? <span className="spinner" aria-label="Applying" /> : null}
        {dirty && !busy ? <kbd className="filter-hint">Enter</kbd> : null}
        {text !== '' ? (
          <button
            type="button"
            className="icon-button small"
            aria-label="Clear filter"
            title="Clear filter"
            onClick={() => {
              setText('');
              void submit('');
              inputRef.current?.focus();
            }}
            data-testid="filter-clear"
          >
            ×
          </button>
        ) : null}
      </div>
      {errorForText ? (
        <div className="filter-error" id="filter-error" role="alert" data-testid="filter-error" data-position={errorForText.position ?? ''} data-length={errorForText.length ?? ''}>
          {errorForText.message}
        </div>
      ) : null}
    </div>
  );
}
