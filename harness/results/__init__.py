"""What a run wrote: verdicts, the typed cell record, the results store and file, the run header,
and where the time went."""
