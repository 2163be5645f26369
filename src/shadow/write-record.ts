/** A write a generator saw answered, with the values only this run sends: what leak checks look for. */
export interface WriteRecord {
  step: string;
  /** Production key names, by store. */
  keys: Array<{ store: string; key: string }>;
  /** The step's marker and the shadow ids it carried. */
  tokens: string[];
}
