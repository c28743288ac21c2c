//! Read → resolve → validate for one file, with the facility knowledge of a registry.

use crate::record::FileRecord;
use oretrail_facilities::{FacilityRegistry, Matcher, TemplateLookup};
use oretrail_reader::{ReadError, ReadOptions, ReadOutcome};
use oretrail_template::{Family, LookupEntry};
use oretrail_validate::{FnDirectory, ValidationContext, ValidationOptions};
use std::collections::HashMap;

/// Facility knowledge and validation settings applied to every file.
pub struct Pipeline {
    registry: FacilityRegistry,
    matcher: Matcher,
    /// Each template version's own look-up, as read from the files themselves.
    lookups: HashMap<(Family, String), TemplateLookup>,
    /// Read options (limits).
    pub read_options: ReadOptions,
    /// Validation settings (dates, campaign expectations).
    pub validation: ValidationSettings,
}

/// What validation knows beyond the file.
#[derive(Debug, Clone, Default)]
pub struct ValidationSettings {
    /// Today's date.
    pub today: Option<chrono::NaiveDate>,
    /// Date declarations were requested.
    pub campaign_date: Option<chrono::NaiveDate>,
    /// Start of the reporting period.
    pub reporting_period_start: Option<chrono::NaiveDate>,
    /// Optional checks and thresholds.
    pub options: ValidationOptions,
}

impl Pipeline {
    /// A pipeline resolving against `registry`.
    pub fn new(registry: FacilityRegistry) -> Pipeline {
        let matcher = Matcher::new(&registry);
        Pipeline {
            registry,
            matcher,
            lookups: HashMap::new(),
            read_options: ReadOptions {
                with_lookup: true,
                ..ReadOptions::default()
            },
            validation: ValidationSettings::default(),
        }
    }

    /// The facility registry, with everything learned so far.
    pub fn registry(&self) -> &FacilityRegistry {
        &self.registry
    }

    /// Gives the registry back (e.g. to persist it).
    pub fn into_registry(self) -> FacilityRegistry {
        self.registry
    }

    /// Reads a file; its look-up sheet only when its template version is not known yet (or the
    /// file lacks cached values). Pure, callable from many threads.
    pub fn read(&self, bytes: &[u8]) -> Result<ReadOutcome, ReadError> {
        oretrail_reader::read_bytes_with(bytes, &self.read_options, &|def| {
            !self
                .lookups
                .contains_key(&(def.family, def.version.clone()))
        })
    }

    /// Learns the template versions' look-ups carried by read files; returns how many
    /// versions were new. Rebuilds the matcher once when anything changed.
    pub fn learn<'a>(&mut self, outcomes: impl IntoIterator<Item = &'a ReadOutcome>) -> usize {
        let mut new = 0;
        for o in outcomes {
            let Some(entries) = o.lookup.as_deref() else {
                continue;
            };
            let key = (o.def.family, o.def.version.clone());
            if self.lookups.contains_key(&key) {
                continue;
            }
            if !self.has_learned(o.def.family, &o.def.version) {
                self.registry.learn(o.def.family, &o.def.version, entries);
                new += 1;
            }
            self.lookups.insert(key, TemplateLookup::new(entries));
        }
        if new > 0 {
            self.matcher = Matcher::new(&self.registry);
        }
        new
    }

    /// Whether the registry has learned this template version's look-up.
    pub fn has_learned(&self, family: Family, version: &str) -> bool {
        self.registry
            .sources()
            .iter()
            .any(|s| s.family == family && s.version == version)
    }

    /// Learns a template's look-up rows directly (e.g. from a blank template).
    pub fn learn_entries(&mut self, family: Family, version: &str, entries: &[LookupEntry]) {
        self.registry.learn(family, version, entries);
        self.lookups
            .insert((family, version.to_string()), TemplateLookup::new(entries));
        self.matcher = Matcher::new(&self.registry);
    }

    /// Learns the look-ups of every readable template in a folder (e.g. RMI's blank templates);
    /// returns how many template versions were new.
    pub fn learn_folder(&mut self, dir: &std::path::Path) -> usize {
        let files = crate::files::collect_inputs(&[dir.to_path_buf()]);
        let outcomes: Vec<ReadOutcome> = files
            .iter()
            .filter_map(|f| std::fs::read(&f.path).ok())
            .filter_map(|b| self.read(&b).ok())
            .collect();
        self.learn(outcomes.iter())
    }

    /// Resolves the smelter rows and validates a read file into its record.
    pub fn finish(&self, name: &str, outcome: ReadOutcome) -> FileRecord {
        let ReadOutcome {
            mut report,
            def,
            lookup,
        } = outcome;
        let own;
        let template_lookup = match self.lookups.get(&(def.family, def.version.clone())) {
            Some(l) => l,
            None => {
                own = TemplateLookup::new(lookup.as_deref().unwrap_or(&[]));
                &own
            }
        };
        self.matcher.resolve_report(&mut report, template_lookup);
        let registry = &self.registry;
        let directory = FnDirectory(|metal: &str, cid: &str| {
            registry
                .facility(metal, cid)
                .and_then(|f| f.country.clone())
        });
        let ctx = ValidationContext {
            today: self.validation.today,
            campaign_date: self.validation.campaign_date,
            reporting_period_start: self.validation.reporting_period_start,
            facilities: Some(&directory),
            options: self.validation.options.clone(),
        };
        let problems = oretrail_validate::validate(&report, def, &ctx);
        FileRecord {
            file: name.to_string(),
            reject: false,
            reject_reason: None,
            reject_detail: None,
            report: Some(report),
            problems: Some(problems),
        }
    }

    /// Reads, learns from, resolves and validates one file.
    pub fn process(&mut self, name: &str, bytes: &[u8]) -> FileRecord {
        match self.read(bytes) {
            Ok(outcome) => {
                self.learn(std::iter::once(&outcome));
                self.finish(name, outcome)
            }
            Err(e) => FileRecord::rejected(name, e),
        }
    }
}
