"""Learning records: xAPI statements about what happens here, sent to the company's LRS."""
