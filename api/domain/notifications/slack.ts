import type { EnvironmentEvent, EnvironmentRecord, EnvironmentState, StageState } from '../environment.js';
import { environmentUrl, eventError } from './payload.js';

/**
 * A Slack incoming-webhook message for one event: a plain `text` (what notifications and
 * screen readers show) and a few Block Kit blocks — what happened with an emoji for the state, the
 * environment, project, state and stage, the error with its hint, and a link to the resource.
 */

interface TextObject { type: 'mrkdwn'; text: string }
export type SlackBlock =
  | { type: 'section'; text: TextObject }
  | { type: 'section'; fields: TextObject[] }
  | { type: 'context'; elements: TextObject[] };
export interface SlackMessage { text: string; blocks: SlackBlock[] }

const ENVIRONMENT_EMOJI: Record<EnvironmentState, string> = {
  CREATING: ':hourglass_flowing_sand:',
  ACTIVE: ':large_green_circle:',
  UPDATING: ':arrows_counterclockwise:',
  FAILED: ':red_circle:',
  DELETING: ':wastebasket:',
  DELETED: ':white_circle:',
};
const STAGE_EMOJI: Record<StageState, string> = {
  PENDING: ':white_circle:',
  RUNNING: ':arrows_counterclockwise:',
  SUCCEEDED: ':white_check_mark:',
  FAILED: ':x:',
  SKIPPED: ':fast_forward:',
  DELETING: ':arrows_counterclockwise:',
  DELETED: ':white_check_mark:',
};

/** Slack's mrkdwn needs only these three escaped (its "Escaping text" rules). */
export const escapeMrkdwn = (text: string): string => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
/** Section texts are limited to 3000 characters; errors from Google can be longer. */
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const mrkdwn = (text: string): TextObject => ({ type: 'mrkdwn', text });

export function slackMessage(record: EnvironmentRecord, event: EnvironmentEvent, baseUrl: string): SlackMessage {
  const stage = event.stage ? record.stages.find((s) => s.name === event.stage) : undefined;
  const error = eventError(record, event);
  const url = environmentUrl(baseUrl, record.id);
  const emoji = event.type === 'notification.disabled' ? ':no_bell:'
    : event.type === 'bootstrap.kept' || event.type === 'resource.kept' ? ':package:'
    : stage ? STAGE_EMOJI[stage.state]
    : ENVIRONMENT_EMOJI[record.state];

  const fields = [
    mrkdwn(`*Environment*\n<${url}|${escapeMrkdwn(record.name)}>`),
    mrkdwn(`*Project*\n${escapeMrkdwn(record.project)}`),
    mrkdwn(`*State*\n${ENVIRONMENT_EMOJI[record.state]} ${record.state}`),
    ...(stage ? [mrkdwn(`*Stage*\n${STAGE_EMOJI[stage.state]} ${stage.name} ${stage.state}`)] : []),
  ];
  const blocks: SlackBlock[] = [
    { type: 'section', text: mrkdwn(`${emoji} *${escapeMrkdwn(record.name)}*: ${escapeMrkdwn(clip(event.message, 1000))}`) },
    { type: 'section', fields },
  ];
  if (error) {
    const hint = error.hint ? `\n*What to do:* ${escapeMrkdwn(clip(error.hint, 1000))}` : '';
    blocks.push({ type: 'section', text: mrkdwn(`:warning: *${escapeMrkdwn(error.code)}*: ${escapeMrkdwn(clip(error.message, 1000))}${hint}`) });
  }
  blocks.push({ type: 'context', elements: [mrkdwn(`${event.type} · event ${event.seq} · <${url}|${record.id}>`)] });

  // What a phone's notification shows: short; the blocks carry the details.
  return { text: clip(`${record.name}: ${event.message}${error ? ` (${error.code})` : ''}`, 300), blocks };
}
