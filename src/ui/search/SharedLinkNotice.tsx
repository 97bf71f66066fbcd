import { useStudio } from '../../state/store';

/** Says why the page's shared link was not applied; the studio opened with its defaults instead. */
export function SharedLinkNotice() {
  const problem = useStudio((s) => s.linkProblem);
  const setLinkProblem = useStudio((s) => s.setLinkProblem);
  if (problem === null) return null;
  return (
    <div className="link-problem error" role="alert" data-testid="link-problem">
      <p>
        This link was not applied, so the studio opened with its defaults: <span data-testid="link-problem-reason">{problem}</span>
      </p>
      <button type="button" onClick={() => setLinkProblem(null)}>
        Dismiss
      </button>
    </div>
  );
}
