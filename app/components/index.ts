/**
 * Shared UI pieces for every page (import from '@/app/components' or the file itself):
 *
 *   useApi, apiFetch, apiSend, ApiRequestError   fetch JSON; refetch on live events
 *   useEventStream, useEventStreamStatus         the one /api/events EventSource (context)
 *   Time, useDisplayZone, formatInstant, formatDuration, formatRelative, useNow, TimeZoneToggle
 *   StatusBadge, JobStateBadge, RunStateBadge, Badge, isActiveRun
 *   EmptyState, ConfirmDialog, ErrorMessage, Loading, Stat, Section, PageHeader
 *   ThemeToggle, useTheme; AppShell (in the root layout); KeyboardShortcuts (`data-search-input`
 *   marks the box that `/` focuses)
 */
export * from './api';
export * from './events';
export * from './time';
export * from './badges';
export * from './empty-state';
export * from './confirm-dialog';
export * from './ui';
export * from './theme';
export * from './app-shell';
