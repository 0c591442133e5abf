'use client';
/**
 * The dependency graph: every job a node, every parent → child dependency an arrow, laid out in
 * layers by ELK (on the server, which sends the positions with the graph; in the browser when an
 * answer has none) and drawn by React Flow. Node colours follow the live state
 * (the graph refetches on run and job events); the layout is recomputed only when the set of
 * nodes or edges changes, so a state change never moves a node.
 *
 * URL: /graph?focus=name shows only that job's ancestors and descendants (GET /api/graph?focus=).
 *
 * This folder holds the graph page, one concept a file:
 *   graph-view.tsx      this view: the graph answer, its layout, the viewport, search and focus state
 *   graph-toolbar.tsx   find a job, focus on it, the legend
 *   graph-search.ts     which job names match what is typed, best first
 *   flow-elements.ts    the answer as React Flow's nodes and edges; the structure key of a layout
 *   job-node.tsx        how a job is drawn (a node with its state and a link)
 *   node-style.ts       a node's colours and words for its live state
 *   layout.ts           the ELK layered layout (also the server's), elk-loader.ts loads ELK
 *   use-dark.ts         whether the page is dark (React Flow's colour mode)
 */
import '@xyflow/react/dist/style.css';
import { Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, useReactFlow, useStoreApi, type Edge } from '@xyflow/react';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { GraphData, UiEvent } from '@/scheduler/api/ui-types';
import { useApi } from '@/app/components/api';
import { EmptyState } from '@/app/components/empty-state';
import { usePreloaded } from '@/app/components/preload';
import { useFormatCount } from '@/app/components/time';
import { ErrorMessage, Loading, PageHeader } from '@/app/components/ui';
import { graphUrl } from '@/app/components/urls';
import { getElk } from './elk-loader';
import { flowEdges, flowNodes, structureKey } from './flow-elements';
import { findMatches } from './graph-search';
import { GraphToolbar } from './graph-toolbar';
import { jobHref, NODE_TYPES, type JobFlowNode, type JobNodeData } from './job-node';
import { fromServer, layoutGraph, NODE_HEIGHT, NODE_WIDTH, type Positioned } from './layout';
import { VISUAL_COLOR, VISUALS, visualOf, type Visual } from './node-style';
import { useIsDark } from './use-dark';

/** Up to this many nodes the graph opens fitted to the view; above, at a readable zoom (see below). */
const FIT_ALL_MAX = 300;

const isGraphEvent = (e: UiEvent) => e.type === 'job' || e.type === 'run' || e.type === 'leader';

/** Where a big graph opens: its top-left corner (the largest pipelines) at a readable zoom. */
const BIG_VIEWPORT = { x: 24, y: 24, zoom: 0.75 };
/**
 * The canvas the server draws a big graph for (it cannot measure the browser's): only how many of
 * the nodes near the top-left corner are in the HTML depends on it, not where they are.
 */
const SERVER_CANVAS = { width: 1600, height: 1000 };

export function GraphView() {
  const params = useSearchParams();
  const focus = params.get('focus') || '';
  // A big graph that came with the page, laid out, is drawn into the HTML: React Flow's store starts
  // with its nodes at the big graph's viewport (a small one is fitted to the canvas, which only the
  // browser can measure, so it is drawn there).
  const preloaded = usePreloaded<GraphData>(graphUrl(focus));
  const [initial] = useState(() =>
    preloaded?.layout && preloaded.nodes.length > FIT_ALL_MAX
      ? { nodes: flowNodes(preloaded, fromServer(preloaded.layout), () => false, focus), edges: flowEdges(preloaded) }
      : null,
  );
  return (
    <ReactFlowProvider
      initialNodes={initial?.nodes}
      initialEdges={initial?.edges}
      initialWidth={initial ? SERVER_CANVAS.width : undefined}
      initialHeight={initial ? SERVER_CANVAS.height : undefined}
    >
      <GraphInner bigFromServer={initial !== null} />
    </ReactFlowProvider>
  );
}

function GraphInner({ bigFromServer }: { bigFromServer: boolean }) {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const focus = params.get('focus') || '';
  // layout=1: the server sends the positions too (ELK runs there, kept between requests)
  const url = graphUrl(focus);
  const { data, error, loading, refresh } = useApi<GraphData>(url, { refreshOn: isGraphEvent, throttleMs: 1500 });
  const dark = useIsDark();
  const flow = useReactFlow();
  const store = useStoreApi();
  useState(() => {
    // the server's HTML (and the hydrating render) draw the big graph at its opening viewport
    if (bigFromServer) store.setState({ transform: [BIG_VIEWPORT.x, BIG_VIEWPORT.y, BIG_VIEWPORT.zoom] });
  });
  const formatCount = useFormatCount();
  const plural = (n: number, one: string, many?: string) => pluralIn(formatCount, n, one, many);

  // Layout, recomputed when the structure changes. Laid out on the server (GET /api/graph), it is
  // read in the same render as the data (the nodes show at once); otherwise ELK runs here.
  const key = useMemo(() => (data ? structureKey(data) : null), [data]);
  const dataRef = useRef(data);
  dataRef.current = data;
   
  const serverLayout = useMemo(() => (key !== null && dataRef.current?.layout ? { key, result: fromServer(dataRef.current.layout) } : null), [key]);
  const [browserLayout, setLayout] = useState<{ key: string; result: Positioned } | null>(null);
  const layout = serverLayout ?? browserLayout;
  const [layoutError, setLayoutError] = useState<string | null>(null);
  useEffect(() => {
    if (key === null || !dataRef.current) return;
    let cancelled = false;
    const snapshot = dataRef.current;
    setLayoutError(null);
    if (snapshot.layout) return; // laid out on the server: no ELK in the browser
    getElk()
      .then((elk) => layoutGraph(elk, snapshot))
      .then(
        (result) => {
          if (!cancelled) setLayout({ key, result });
        },
        (e: unknown) => {
          if (!cancelled) setLayoutError(`Layout failed: ${(e as Error)?.message ?? String(e)}`);
        },
      );
    return () => {
      cancelled = true;
    };
  }, [key]);

  // Search: highlight matches, Enter moves to the next one.
  const [query, setQuery] = useState('');
  const [cursor, setCursor] = useState(-1);
  const [picked, setPicked] = useState<string | null>(null);
  const matches = useMemo(() => (data ? findMatches(data.nodes, query) : []), [query, data]);
  const matchSet = useMemo(() => new Set(matches), [matches]);

  const nodes: JobFlowNode[] = useMemo(() => {
    if (!data || !layout || layout.key !== key) return [];
    return flowNodes(data, layout.result, (name) => picked === name || matchSet.has(name), focus);
  }, [data, layout, key, matchSet, picked, focus]);

  const edges: Edge[] = useMemo(() => {
    if (!data || !layout || layout.key !== key) return [];
    return flowEdges(data);
  }, [data, layout, key]);

  // Fit the view once per new layout. A big graph opens at a readable zoom on its top-left corner
  // (the largest pipelines) instead: fitted, every node is a few pixels wide and all of them are
  // drawn at once (seconds at 1,000); the minimap shows the whole, zooming out shows more.
  const fittedKey = useRef<string | null>(null);
  useEffect(() => {
    if (!layout || layout.key !== key || nodes.length === 0 || fittedKey.current === layout.key) return;
    fittedKey.current = layout.key;
    requestAnimationFrame(() => {
      // includeHiddenNodes: fit by the declared sizes, as nodes out of view are never drawn (measured)
      if (nodes.length <= FIT_ALL_MAX) void flow.fitView({ padding: 0.1, maxZoom: 1.25, minZoom: 0.05, includeHiddenNodes: true });
      else void flow.setViewport(BIG_VIEWPORT);
    });
  }, [layout, key, nodes.length, flow]);

  const goTo = useCallback(
    (name: string) => {
      const p = layout?.result.positions.get(name);
      if (!p) return;
      setPicked(name);
      void flow.setCenter(p.x + NODE_WIDTH / 2, p.y + NODE_HEIGHT / 2, { zoom: Math.max(flow.getZoom(), 1), duration: 300 });
    },
    [flow, layout],
  );

  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    if (matches.length === 0) return;
    const next = (cursor + 1) % matches.length;
    setCursor(next);
    goTo(matches[next]);
  };

  const setFocus = (name: string | null) => {
    const next = new URLSearchParams(params.toString());
    if (name) next.set('focus', name);
    else next.delete('focus');
    const qs = next.toString();
    setPicked(null);
    // the URL only (useSearchParams follows it): the view fetches the focused graph itself, the
    // server does not render the page again
    window.history.replaceState(null, '', qs ? `${pathname}?${qs}` : pathname);
  };

  const counts = useMemo(() => {
    const c = Object.fromEntries(VISUALS.map((v) => [v, 0])) as Record<Visual, number>;
    for (const n of data?.nodes ?? []) c[visualOf(n)]++;
    return c;
  }, [data]);

  // A job left out of a large whole graph (data.omitted) is focused by its exact name.
  const typed = query.trim();
  const focusTarget = picked ?? (matches.length === 1 ? matches[0] : matches.length === 0 && data?.omitted && typed ? typed : null);
  const laidOut = layout !== null && layout.key === key;
  // The minimap draws every node (a React element each): on a big graph it comes a frame after the
  // nodes in view, so they show first.
  const [miniKey, setMiniKey] = useState<string | null>(null);
  const bigGraph = (data?.nodes.length ?? 0) > FIT_ALL_MAX;
  useEffect(() => {
    if (!laidOut || key === null) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setMiniKey(key), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      if (timer) clearTimeout(timer);
    };
  }, [laidOut, key]);
  const showMini = !bigGraph || miniKey === key;

  return (
    <div>
      <PageHeader
        title="Dependency graph"
        subtitle={
          focus ? (
            <>
              Showing the ancestors and descendants of <strong className="font-semibold">{focus}</strong>.{' '}
              <button type="button" className="link" onClick={() => setFocus(null)}>
                Show all jobs
              </button>
            </>
          ) : data?.omitted ? (
            <span data-testid="graph-omitted">
              The largest pipelines first: {plural(data.nodes.length, 'job')} of {formatCount(data.nodes.length + data.omitted.jobs)}, an arrow from each
              parent to the jobs that depend on it. Left out: {plural(data.omitted.pipelines, 'smaller pipeline')}
              {data.omitted.standalone ? ` and ${plural(data.omitted.standalone, 'job')} without dependencies` : ''} ({plural(data.omitted.jobs, 'job')});
              type a job&apos;s name and focus on it to see its pipeline.
            </span>
          ) : (
            'Every job, with an arrow from each parent to the jobs that depend on it. Click a job to open it.'
          )
        }
      />

      <GraphToolbar
        query={query}
        onQuery={(q) => {
          setQuery(q);
          setCursor(-1);
          setPicked(null);
        }}
        onEscape={() => {
          setQuery('');
          setPicked(null);
        }}
        onSearch={onSearch}
        matches={matches}
        cursor={cursor}
        data={data}
        suggest={(data?.nodes.length ?? 0) <= FIT_ALL_MAX}
        focus={focus}
        focusTarget={focusTarget}
        setFocus={setFocus}
        counts={counts}
      />

      {error ? (
        <ErrorMessage
          className="mb-3"
          error={focus && error.status === 404 ? `No job named "${focus}": ${error.message}` : `Could not load the graph: ${error.message}`}
          retry={focus && error.status === 404 ? () => setFocus(null) : refresh}
        />
      ) : null}
      <ErrorMessage className="mb-3" error={layoutError} />

      {loading && !data ? (
        <Loading label="Loading the graph…" />
      ) : data && data.nodes.length === 0 ? (
        <EmptyState
          title={focus ? 'Nothing to show' : 'No jobs yet'}
          action={
            <Link className="btn btn-primary" href="/jobs/new">
              Create a job
            </Link>
          }
        >
          The graph draws each job as a box and each dependency as an arrow from parent to child. Create a scheduled job,
          then a dependent job that names it as a parent: the child runs after every parent has succeeded.
        </EmptyState>
      ) : data ? (
        <div
          className="relative h-[calc(100vh-15rem)] min-h-[420px] overflow-hidden rounded-lg border border-gray-200 bg-white dark:border-gray-800 dark:bg-gray-900"
          data-testid="graph-canvas"
        >
          {!laidOut ? (
            <div className="absolute inset-0 z-10 flex items-center justify-center bg-white/60 dark:bg-gray-950/60">
              <Loading label={`Laying out ${formatCount(data.nodes.length)} jobs…`} />
            </div>
          ) : null}
          <ReactFlow<JobFlowNode, Edge>
            nodes={nodes}
            edges={edges}
            nodeTypes={NODE_TYPES}
            colorMode={dark ? 'dark' : 'light'}
            style={{ background: 'transparent' }}
            onlyRenderVisibleElements
            nodesDraggable={false}
            nodesConnectable={false}
            elementsSelectable={false}
            nodesFocusable={false}
            edgesFocusable={false}
            minZoom={0.05}
            maxZoom={2}
            defaultViewport={bigGraph ? BIG_VIEWPORT : undefined}
            proOptions={{ hideAttribution: true }}
            onNodeClick={(e, node) => {
              // The name inside is a link (keyboard, middle-click); a click elsewhere on the box opens the job too.
              if (!(e.target as Element).closest('a')) router.push(jobHref(node.id));
            }}
            aria-label="Job dependency graph"
          >
            <Background gap={24} size={1} />
            <Controls showInteractive={false} fitViewOptions={{ padding: 0.1, minZoom: 0.05, includeHiddenNodes: true }} />
            {data.nodes.length > 1 && showMini ? (
              <MiniMap
                pannable
                zoomable
                nodeColor={(n) => VISUAL_COLOR[(n.data as JobNodeData).visual]}
                nodeStrokeWidth={0}
                ariaLabel="Overview of the graph"
              />
            ) : null}
          </ReactFlow>
        </div>
      ) : null}
      {/* Below the canvas, never over its zoom controls or minimap. */}
      {data && data.nodes.length > 0 && laidOut ? (
        <p className="muted mt-1 text-[11px]" data-testid="layout-time">
          {plural(data.nodes.length, 'job')}, {plural(data.edges.length, 'dependency', 'dependencies')} · layout {Math.round(layout.result.ms)} ms
        </p>
      ) : null}
    </div>
  );
}

function pluralIn(format: (n: number) => string, n: number, one: string, many = `${one}s`): string {
  return `${format(n)} ${n === 1 ? one : many}`;
}
