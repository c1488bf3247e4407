/** What an action handler gets: the caller, the region it signed for, and its parameters. */
import type { CopyRunner } from './copy-runner';
import type { QueryParams } from './query';
import type { Ec2Account, Ec2State } from './state';
import type { TaskRunner } from './tasks';
import type { DiskReader } from './disk-reader';
import type { Faults } from './faults';
import type { XmlObject } from './xml';

export interface Caller {
  account: Ec2Account;
  /** The assumed role's name and session when signed with `AssumeRole` credentials. */
  session?: { roleName: string; sessionName: string };
}

export interface ActionContext {
  state: Ec2State;
  tasks: TaskRunner;
  copies: CopyRunner;
  disks: DiskReader;
  faults: Faults;
  caller: Caller;
  region: string;
  params: QueryParams;
}

export type Action = (context: ActionContext) => XmlObject | Promise<XmlObject>;
