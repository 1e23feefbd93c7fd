-- The LCR treatment (lcr_treatment.sql) of each group of lcr_exposure_groups: decided once per group, with the
-- group's summed amounts, so that the figures cost one pass over the exposures.
CREATE OR REPLACE TEMP TABLE lcr_group_treatment AS
{{treatment}};
