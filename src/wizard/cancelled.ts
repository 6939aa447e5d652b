/** Ctrl-C or a closed terminal at a prompt: the user changed their mind, nothing is written. */
export class WizardCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'WizardCancelled';
  }
}
