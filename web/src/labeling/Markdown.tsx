import { Anchor, Typography } from '@mantine/core';
import ReactMarkdown, { defaultUrlTransform } from 'react-markdown';

/**
 * A requester's Markdown (instructions, guidelines), rendered safely: raw HTML is dropped, link
 * and image URLs go through react-markdown's URL filter (no `javascript:`), links open in a new
 * tab without handing over the opener.
 */
export function Markdown({ children }: { children: string }) {
  return (
    <Typography className="dure-markdown">
      <ReactMarkdown
        skipHtml
        urlTransform={defaultUrlTransform}
        components={{
          a: ({ href, children: c }) => (
            <Anchor href={href} target="_blank" rel="noopener noreferrer nofollow">
              {c}
            </Anchor>
          ),
          img: ({ src, alt }) => <img src={typeof src === 'string' ? src : undefined} alt={alt ?? ''} referrerPolicy="no-referrer" style={{ maxWidth: '100%' }} />,
        }}
      >
        {children}
      </ReactMarkdown>
    </Typography>
  );
}
