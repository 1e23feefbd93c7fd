-- One row per exposure with its LCR treatment (the columns of lcr_exposure_keys plus those of lcr_treatment.sql).
-- A VIEW unless the caller materializes it: the LCR itself is summed from lcr_exposure_groups.
CREATE OR REPLACE TEMP {{relation_kind}} lcr_classified AS
{{treatment}};
