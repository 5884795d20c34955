// The component layer: every screen builds on these (and on tokens.css/ui.css only).
// Swapping the look (e.g. to another design system) means reimplementing this folder.
import './tokens.css';
import './ui.css';

export { Alert } from './Alert';
export { Button, ButtonGroup } from './Button';
export { Checkbox } from './Checkbox';
export { Dialog } from './Dialog';
export { ErrorSummary, focusField, type SummaryError } from './ErrorSummary';
export { ErrorMessage, fieldId, Select, TextInput } from './Field';
export { UiStringsProvider, type UiStrings } from './strings';
export { Footer, Header, Main, SkipLink } from './Layout';
export { BackLink, ButtonLink, Link } from './Link';
export { markInitialPageShown } from './initialPage';
export { PageHeading, usePageTitle } from './Page';
export { ProgressBar } from './ProgressBar';
export { Radios } from './Radios';
export { Spinner } from './Spinner';
export { SummaryList, type SummaryRow } from './SummaryList';
export { Table, type Column } from './Table';
export { Tag, type TagColour } from './Tag';
export { Timeline, type TimelineItem } from './Timeline';
export { StickyBar } from './StickyBar';
export { SubNav } from './SubNav';
export { Textarea } from './Textarea';
