import type { SlackMessage } from '../../api/domain/notifications/slack.js';

/**
 * A Slack message as text, roughly as Slack shows it (emoji drawn, links as their label, bold
 * kept as *…*): the golden files and the README's example use it.
 */
const EMOJI: Record<string, string> = {
  ':large_green_circle:': '🟢', ':red_circle:': '🔴', ':white_circle:': '⚪', ':white_check_mark:': '✅', ':x:': '❌',
  ':hourglass_flowing_sand:': '⏳', ':wastebasket:': '🗑️', ':warning:': '⚠️', ':package:': '📦', ':no_bell:': '🔕',
  ':arrows_counterclockwise:': '🔄', ':fast_forward:': '⏩',
};

const plain = (mrkdwn: string) => mrkdwn
  .replace(/:[a-z_]+:/g, (code) => EMOJI[code] ?? code)
  .replace(/<([^|>]+)\|([^>]+)>/g, '$2')
  .replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

export function slackAsText(message: SlackMessage): string {
  const lines: string[] = [];
  for (const block of message.blocks) {
    if (block.type === 'context') lines.push(...block.elements.map((e) => `  ${plain(e.text)}`));
    else if ('fields' in block) lines.push(block.fields.map((f) => plain(f.text).replace('\n', ': ')).join('   '));
    else lines.push(...plain(block.text.text).split('\n'));
  }
  return [`[notification: ${message.text}]`, ...lines.map((l) => `│ ${l}`)].join('\n');
}
