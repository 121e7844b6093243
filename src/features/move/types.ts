/** The shapes both ways of redriving (manualMove, redriveNative) report in; redrive.ts picks one and re-exports these. */
export interface RedriveProgress {
  moved: number;
  filteredOut: number;
  failed: number;
  wouldMove: number;
  /** Native move: SQS's estimate of the total. */
  toMove?: number;
}

export interface RedriveFailure {
  /** Empty for a failure of the whole move task. */
  messageId: string;
  stage: 'send' | 'delete' | 'task';
  code: string;
  reason: string;
}

export interface RedrivePreview {
  messageId: string;
  groupId?: string;
  receiveCount: number;
  bytes: number;
  /** The whole body: a JSON body cut short could not be parsed by whoever triages it. */
  body: string;
  /** Message attributes by name (`sqsops.error`, `sqsops.failedTasks`, ...); binary ones as base64. */
  attributes: Record<string, string>;
}
