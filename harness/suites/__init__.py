"""What the YAML says: suite and expectation files read with their lines, a case's expectation, the rules."""
