// Small inline icons of the compare views (text glyphs for these are missing from common fonts).
/** Three vertical axes crossed by two lines: parallel coordinates in 14 px. */
export function CompareIcon() {
  return (
    <svg className="button-icon compare-icon" width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">
      <path d="M2 1.5v11M7 1.5v11M12 1.5v11" stroke="currentColor" strokeWidth="1.3" strokeLinecap="round" opacity="0.55" />
      <path d="M2 10 7 4l5 5M2 4l5 6 5-7" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinejoin="round" strokeLinecap="round" />
    </svg>
  );
}
