/** The shapes both manual moves (move, redrive-dlq) and SQS's move task report in; redrive.ts and move.ts re-export these. */
export interface MoveProgress {
  moved: number;
  filteredOut: number;
  failed: number;
  wouldMove: number;
  /** Native move: SQS's estimate of the total. */
  toMove?: number;
}

export interface MoveFailure {
  /** Empty for a failure of the whole move task. */
  messageId: string;
  stage: 'send' | 'delete' | 'task';
  code: string;
  reason: string;
}

export interface MovePreview {
  messageId: string;
  groupId?: string;
  receiveCount: number;
  bytes: number;
  /** The whole body: a JSON body cut short could not be parsed by whoever triages it. */
  body: string;
  /** Message attributes by name (`sqsops.error`, `sqsops.failedTasks`, ...); binary ones as base64. */
  attributes: Record<string, string>;
}

/** How a run names, to the user, where a message that did not move still is and its journal. */
export interface MoveWords {
  /** e.g. "still in the DLQ" (redrive-dlq), "still on the source queue" (move). */
  stillThere: string;
  /** e.g. "redrive journal", "move journal". */
  journal: string;
}
