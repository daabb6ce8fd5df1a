import type { ComponentChildren, VNode } from 'preact';
import type { Nodes, Parents } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';

// Memory content is untrusted. It is parsed into a syntax tree (micromark, CommonMark + GFM) and
// rendered node by node as Preact elements: raw HTML in the text stays text, no HTML string is ever
// put into the page, links keep only http(s) and mailto targets, and images are shown as links
// (never fetched: no tracking pixels, no requests to where the content points).

const SAFE_URL = /^(https?:|mailto:)/i;
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  const trimmed = url.trim();
  return SAFE_URL.test(trimmed) ? trimmed : null;
}

function children(node: Parents, defs: Map<string, string>): ComponentChildren[] {
  return node.children.map((c, i) => render(c as Nodes, defs, i));
}

function link(href: string | null, kids: ComponentChildren, key: number, title?: string | null): VNode | ComponentChildren {
  if (!href) return <span key={key} class="unsafe-link" title="link removed: only http, https and mailto links are kept">{kids}</span>;
  return <a key={key} href={href} title={title ?? undefined} rel="noopener noreferrer nofollow" target="_blank">{kids}</a>;
}

function render(node: Nodes, defs: Map<string, string>, key: number): ComponentChildren {
  switch (node.type) {
    case 'root': return <>{children(node, defs)}</>;
    case 'paragraph': return <p key={key}>{children(node, defs)}</p>;
    case 'heading': {
      const H = `h${Math.min(6, node.depth + 1)}` as 'h2'; // the memory's page owns the h1
      return <H key={key}>{children(node, defs)}</H>;
    }
    case 'text': return node.value;
    case 'emphasis': return <em key={key}>{children(node, defs)}</em>;
    case 'strong': return <strong key={key}>{children(node, defs)}</strong>;
    case 'delete': return <del key={key}>{children(node, defs)}</del>;
    case 'inlineCode': return <code key={key}>{node.value}</code>;
    case 'code': return <pre key={key}><code data-lang={node.lang ?? undefined}>{node.value}</code></pre>;
    case 'blockquote': return <blockquote key={key}>{children(node, defs)}</blockquote>;
    case 'list': {
      const items = children(node, defs);
      return node.ordered ? <ol key={key} start={node.start ?? undefined}>{items}</ol> : <ul key={key}>{items}</ul>;
    }
    case 'listItem':
      return (
        <li key={key}>
          {node.checked !== null && node.checked !== undefined && <input type="checkbox" checked={node.checked} disabled aria-label={node.checked ? 'done' : 'not done'} />}
          {node.children.length === 1 && node.children[0]!.type === 'paragraph' && node.spread === false
            ? children(node.children[0]!, defs)
            : children(node, defs)}
        </li>
      );
    case 'thematicBreak': return <hr key={key} />;
    case 'break': return <br key={key} />;
    case 'link': return link(safeHref(node.url), children(node, defs), key, node.title);
    case 'linkReference': return link(safeHref(defs.get(node.identifier)), children(node, defs), key);
    case 'image':
    case 'imageReference': {
      const url = safeHref(node.type === 'image' ? node.url : defs.get(node.identifier));
      return link(url, `🖼 ${node.alt || 'image'}`, key);
    }
    case 'table':
      return (
        <div key={key} class="table-wrap"><table>
          <thead>{render(node.children[0]!, defs, 0)}</thead>
          <tbody>{node.children.slice(1).map((r, i) => render(r, defs, i))}</tbody>
        </table></div>
      );
    case 'tableRow': return <tr key={key}>{children(node, defs)}</tr>;
    case 'tableCell': return <td key={key}>{children(node, defs)}</td>;
    // Raw HTML is shown as the text it is.
    case 'html': return <code key={key} class="raw-html">{node.value}</code>;
    case 'definition':
    case 'footnoteDefinition':
      return null;
    case 'footnoteReference': return <sup key={key}>[{node.label ?? node.identifier}]</sup>;
    default: return 'children' in node ? <>{children(node as unknown as Parents, defs)}</> : 'value' in node ? String((node as { value: unknown }).value) : null;
  }
}

function collectDefinitions(node: Nodes, defs: Map<string, string>) {
  if (node.type === 'definition') defs.set(node.identifier, node.url);
  if ('children' in node) for (const c of node.children) collectDefinitions(c as Nodes, defs);
}

export function Markdown({ text }: { text: string }) {
  const tree = fromMarkdown(text, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
  const defs = new Map<string, string>();
  collectDefinitions(tree, defs);
  return <div class="markdown">{render(tree, defs, 0)}</div>;
}
