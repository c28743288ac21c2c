//! Many files at once: parse on all cores, learn new template versions, then resolve and
//! validate on all cores. The result does not depend on the order of the files.

use crate::files::InputFile;
use crate::pipeline::Pipeline;
use crate::record::FileRecord;
use rayon::prelude::*;

/// Processes files in input order; one bad file never stops the batch.
pub fn process_batch(pipeline: &mut Pipeline, files: &[InputFile]) -> Vec<FileRecord> {
    let read: Vec<_> = files
        .par_iter()
        .map(|f| match std::fs::read(&f.path) {
            Ok(bytes) => pipeline.read(&bytes),
            Err(e) => Err(oretrail_reader::ReadError::new(
                oretrail_reader::RejectReason::CorruptPackage,
                format!("cannot read {}: {e}", f.path.display()),
            )),
        })
        .collect();
    pipeline.learn(read.iter().filter_map(|r| r.as_ref().ok()));
    let pipeline = &*pipeline;
    read.into_par_iter()
        .zip(files.par_iter())
        .map(|(r, f)| match r {
            Ok(outcome) => pipeline.finish(&f.name, outcome),
            Err(e) => FileRecord::rejected(&f.name, e),
        })
        .collect()
}
